/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FUZZ_CONFIG_YAML_OUT_H
#define VSW_FUZZ_CONFIG_YAML_OUT_H

/*
 * fuzz_config's round trip: a struct vsw_config written as the YAML
 * vsw_config.h documents, every string double-quoted with anything but
 * printable ASCII escaped (\uXXXX, \UXXXXXXXX), and a comparison of two
 * configurations field by field.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vsw_config.h"

struct cy {
	char *buf;
	size_t len;
	size_t off;
	bool ok;
};

__attribute__((format(printf, 2, 3)))
static inline void
cy_printf(struct cy *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->off, w->len - w->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->len - w->off) {
		w->ok = false;
		return;
	}
	w->off += (size_t)n;
}

/* One UTF-8 sequence at @p p as YAML accepts it. @return its length, 0. */
static inline int
cy_utf8(const uint8_t *p, uint32_t *cp)
{
	int n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 :
		(p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };

	if (n == 0)
		return 0;
	*cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* @p s double-quoted. false: @p s is not UTF-8 (YAML cannot carry it). */
static inline bool
cy_quoted(struct cy *w, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;

	cy_printf(w, "\"");
	while (*p != '\0') {
		uint32_t cp;
		int n = cy_utf8(p, &cp);

		if (n == 0)
			return false;
		if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
			cy_printf(w, "%c", (char)cp);
		else if (cp < 0x10000)
			cy_printf(w, "\\u%04x", cp);
		else
			cy_printf(w, "\\U%08x", cp);
		p += n;
	}
	cy_printf(w, "\"");
	return true;
}

static inline void
cy_bridges(struct cy *w, const struct vsw_config *c)
{
	if (c->n_bridges > 0)
		cy_printf(w, "bridges:\n");
	for (unsigned int i = 0; i < c->n_bridges; i++) {
		const struct vsw_config_bridge *b = &c->bridges[i];

		cy_printf(w, "  ");
		cy_quoted(w, b->name);
		cy_printf(w, ": {ports: [");
		for (unsigned int p = 0; p < b->n_ports; p++) {
			cy_printf(w, p ? ", " : "");
			cy_quoted(w, b->ports[p]);
		}
		cy_printf(w, "]");
		if (b->aging_set)
			cy_printf(w, ", aging: %u", b->aging);
		if (b->max_entries != 0)
			cy_printf(w, ", max-entries: %u", b->max_entries);
		cy_printf(w, "}\n");
	}
}

/* @p c as YAML into @p buf. @return false if it cannot be written. */
static inline bool
cy_write(const struct vsw_config *c, char *buf, size_t len)
{
	struct cy w = { buf, len, 0, true };
	bool utf8 = true;

	cy_printf(&w, "rxq-assign: %s\nctl: ", c->rxq_assign);
	if (c->ctl[0] == '\0')
		cy_printf(&w, "none");
	else
		utf8 &= cy_quoted(&w, c->ctl);
	cy_printf(&w, "\n");
	if (c->n_pmd_cores > 0) {
		cy_printf(&w, "pmd-cores: [");
		for (unsigned int i = 0; i < c->n_pmd_cores; i++)
			cy_printf(&w, "%s%u", i ? ", " : "", c->pmd_cores[i]);
		cy_printf(&w, "]\n");
	}
	if (c->n_ports > 0)
		cy_printf(&w, "ports:\n");
	for (unsigned int i = 0; i < c->n_ports && utf8; i++) {
		cy_printf(&w, "  ");
		cy_quoted(&w, c->ports[i].name);
		cy_printf(&w, ": ");
		utf8 &= cy_quoted(&w, c->ports[i].spec);
		cy_printf(&w, "\n");
	}
	if (c->n_xconnects > 0)
		cy_printf(&w, "xconnects:\n");
	for (unsigned int i = 0; i < c->n_xconnects; i++) {
		cy_printf(&w, "  - [");
		cy_quoted(&w, c->xconnects[i].a);
		cy_printf(&w, ", ");
		cy_quoted(&w, c->xconnects[i].b);
		cy_printf(&w, "]\n");
	}
	cy_bridges(&w, c);
	return utf8 && w.ok;
}

static inline bool
cy_bridge_equal(const struct vsw_config_bridge *a,
		const struct vsw_config_bridge *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_ports != b->n_ports ||
	    a->max_entries != b->max_entries || a->aging_set != b->aging_set ||
	    (a->aging_set && a->aging != b->aging))
		return false;
	for (unsigned int p = 0; p < a->n_ports; p++)
		if (strcmp(a->ports[p], b->ports[p]) != 0)
			return false;
	return true;
}

/* Same ports, cross-connects, bridges and settings? */
static inline bool
cy_equal(const struct vsw_config *a, const struct vsw_config *b)
{
	if (a->n_ports != b->n_ports || a->n_xconnects != b->n_xconnects ||
	    a->n_bridges != b->n_bridges || a->n_pmd_cores != b->n_pmd_cores ||
	    a->mbufs != b->mbufs || strcmp(a->rxq_assign, b->rxq_assign) != 0 ||
	    strcmp(a->ctl, b->ctl) != 0)
		return false;
	for (unsigned int i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i].name, b->ports[i].name) != 0 ||
		    strcmp(a->ports[i].spec, b->ports[i].spec) != 0)
			return false;
	for (unsigned int i = 0; i < a->n_xconnects; i++)
		if (strcmp(a->xconnects[i].a, b->xconnects[i].a) != 0 ||
		    strcmp(a->xconnects[i].b, b->xconnects[i].b) != 0)
			return false;
	for (unsigned int i = 0; i < a->n_bridges; i++)
		if (!cy_bridge_equal(&a->bridges[i], &b->bridges[i]))
			return false;
	for (unsigned int i = 0; i < a->n_pmd_cores; i++)
		if (a->pmd_cores[i] != b->pmd_cores[i])
			return false;
	return true;
}

#endif /* VSW_FUZZ_CONFIG_YAML_OUT_H */
