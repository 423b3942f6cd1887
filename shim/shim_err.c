// SPDX-License-Identifier: GPL-2.0
/* One-line error messages without stdio (see shim_err.h). */
#include <stdarg.h>

#include "shim_err.h"

const char *shim_err_name(int code)
{
	static const char *const names[] = {
		"SHIM_OK", "SHIM_EFDT", "SHIM_EMISSING", "SHIM_ECPU",
		"SHIM_ERANGE", "SHIM_EOVERLAP", "SHIM_EOUTSIDE",
		"SHIM_ETOOMANY", "SHIM_ECMDLINE", "SHIM_ENOSPC", "SHIM_EINVAL",
	};

	if (code > 0 || code < SHIM_EINVAL)
		return "SHIM_E?";
	return names[-code];
}

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, char c)
{
	if (o->cap && o->len + 1 < o->cap)
		o->buf[o->len++] = c;
}

static void put_num(struct out *o, unsigned long long v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16) {
		put(o, '0');
		put(o, 'x');
	}
	while (n)
		put(o, tmp[--n]);
}

int shim_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	struct out o = { err, 0, errlen };
	va_list ap;
	const char *s;

	if (!err || !errlen)
		return code;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			put(&o, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			s = va_arg(ap, const char *);
			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		case 'u':
			put_num(&o, va_arg(ap, unsigned long long), 10);
			break;
		case 'x':
			put_num(&o, va_arg(ap, unsigned long long), 16);
			break;
		default:
			put(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	err[o.len] = 0;
	return code;
}
