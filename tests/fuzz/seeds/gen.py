#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora: tests/fuzz/corpus/<target>/<seed>.

Seeds are small inputs shaped like what the unit tests feed each library;
the fuzzer mutates from there. Run after changing an input format:

    /usr/bin/python3 tests/fuzz/seeds/gen.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bridge  # noqa: E402
import config  # noqa: E402
import net  # noqa: E402
import rpc  # noqa: E402
import vhu  # noqa: E402
import vring  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")

TARGETS = {
    "fuzz_vring_split": vring.split_seeds,
    "fuzz_vring_packed": vring.packed_seeds,
    "fuzz_net": net.seeds,
    "fuzz_bridge": bridge.seeds,
    "fuzz_rpc": rpc.seeds,
    "fuzz_config": config.seeds,
    "fuzz_vhu_msg": vhu.seeds,
}


def main():
    for target, make in TARGETS.items():
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        for name, data in make().items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(os.listdir(d))} seeds")


if __name__ == "__main__":
    main()
