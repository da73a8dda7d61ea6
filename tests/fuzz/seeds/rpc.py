# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of fuzz_rpc: request lines like tests/unit/test_rpc.c sends."""


def req(method, params=None, id_=1, extra=""):
    p = "" if params is None else f', "params": {params}'
    i = "" if id_ is None else f', "id": {id_}'
    return f'{{"jsonrpc": "2.0", "method": "{method}"{p}{i}{extra}}}\n'


def seeds():
    s = {}
    s["echo"] = req("echo", '["hi"]') + req("echo", '{"text": "named"}', '"s"')
    s["builtins"] = (req("help", id_='"x"') + req("help", '["echo"]', 2) +
                     req("version", id_="null") + req("help", '{"method": "num"}'))
    s["num"] = (req("num", '{"n": 42}', 3) + req("num", '["007"]', 4) +
                req("num", "[101]", 5) + req("num", '["-1"]', 6))
    s["fail"] = "".join(req("fail", f'["{h}"]', i)
                        for i, h in enumerate(["einval", "eio", "x"]))
    s["notifications"] = (req("echo", '["quiet"]', None) +
                          req("nope", None, None) + '{"jsonrpc": "1.0", "method": "echo"}\n')
    s["bad"] = ('[{"jsonrpc": "2.0", "method": "echo"}]\n' + "not json\n\n \r\n" +
                '{"jsonrpc": "1.0", "method": "echo", "id": 6}\n' +
                '{"jsonrpc": "2.0", "method": 7, "id": {}}\n' +
                req("echo", '"text"', 7) + req("echo", '["a", "b", "c"]', 8) +
                '{"jsonrpc": "2.0", "jsonrpc": "2.0", "method": "help", "id": 9}\n')
    s["reg_unreg"] = (req("reg", '["zz"]', 1) + req("zz", '["a"]', 2) +
                      req("unreg", '["zz"]', 3) + req("unreg", '["unreg"]', 4) +
                      req("help", None, 5) + req("unreg", '["x"]', 6))
    s["crlf_last_line_unterminated"] = (req("echo", '["crlf"]', 1).replace("\n", "\r\n") +
                                        req("version", None, 2).rstrip("\n"))
    return {k: v.encode() for k, v in s.items()}
