// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "cmdline.h"

int cmdline_split(const char *line,
		  void (*fn)(const char *word, size_t len, void *arg),
		  void *arg)
{
	const char *p = line;
	int n = 0;

	for (;;) {
		const char *start;
		int quoted = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return n;
		start = p;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (quoted)
			return -1;
		fn(start, (size_t)(p - start), arg);
		n++;
	}
}

struct params_ctx {
	const char *module;
	size_t modlen;
	char *out;
	size_t outsz;
	size_t len;
	int overflow;
};

/* module names compare as the kernel's do: '-' and '_' are the same */
static int modname_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return 0;
	}
	return 1;
}

static void collect(const char *w, size_t len, void *arg)
{
	struct params_ctx *c = arg;
	size_t need;

	if (len <= c->modlen + 1 || !modname_eq(w, c->module, c->modlen) ||
	    w[c->modlen] != '.')
		return;
	w += c->modlen + 1;
	len -= c->modlen + 1;
	need = len + (c->len ? 1 : 0);
	if (c->len + need + 1 > c->outsz) {
		c->overflow = 1;
		return;
	}
	if (c->len)
		c->out[c->len++] = ' ';
	memcpy(c->out + c->len, w, len);
	c->len += len;
	c->out[c->len] = 0;
}

int cmdline_module_params(const char *line, const char *module,
			  char *out, size_t outsz)
{
	struct params_ctx c = {
		.module = module, .modlen = strlen(module),
		.out = out, .outsz = outsz,
	};

	if (!outsz)
		return -1;
	out[0] = 0;
	if (cmdline_split(line, collect, &c) < 0 || c.overflow)
		return -1;
	return (int)c.len;
}
