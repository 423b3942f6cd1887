// SPDX-License-Identifier: GPL-2.0
/*
 * A small printf: the conversions freestanding code and the IGVM parser's
 * messages use (see rt.h), formatting through an output callback so that
 * the console and the buffer versions share one implementation.
 */
#include "rt.h"

struct spec {
	bool left;		/* '-' */
	bool zero;		/* '0' */
	int width;
	int prec;		/* -1: none */
};

struct fmt_out {
	void (*out)(char c, void *arg);
	void *arg;
	int n;
};

static void put(struct fmt_out *o, char c)
{
	o->out(c, o->arg);
	o->n++;
}

static void pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct fmt_out *o, const struct spec *sp, const char *s)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = sp->prec >= 0 ? RT_FN(strnlen)(s, (size_t)sp->prec) :
			      RT_FN(strlen)(s);
	if (!sp->left)
		pad(o, ' ', sp->width - (int)len);
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - (int)len);
}

/* an unsigned value with an optional sign or "0x" prefix */
static void put_num(struct fmt_out *o, const struct spec *sp,
		    unsigned long long v, unsigned int base, bool upper,
		    const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int len = 0, plen = (int)RT_FN(strlen)(prefix), fill;

	do {
		tmp[len++] = digits[v % base];
		v /= base;
	} while (v);
	fill = sp->width - len - plen;
	if (sp->left) {
		for (int i = 0; i < plen; i++)
			put(o, prefix[i]);
		while (len)
			put(o, tmp[--len]);
		pad(o, ' ', fill);
		return;
	}
	if (!sp->zero)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (sp->zero)
		pad(o, '0', fill);
	while (len)
		put(o, tmp[--len]);
}

int rt_vformat(void (*out)(char c, void *arg), void *arg, const char *fmt,
	       va_list ap)
{
	struct fmt_out o = { .out = out, .arg = arg, .n = 0 };

	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { .prec = -1 };
		int lng = 0;	/* 1: l, 2: ll, 3: z */
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9' && sp.width < 10000)
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9' &&
				       sp.prec < 10000)
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}
		if (*fmt == 'l') {
			fmt++;
			lng = 1;
			if (*fmt == 'l') {
				fmt++;
				lng = 2;
			}
		} else if (*fmt == 'z') {
			fmt++;
			lng = 3;
		}
		switch (*fmt) {
		case 'c':
			sp.prec = -1;
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, (char)va_arg(ap, int));
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		case 's':
			put_str(&o, &sp, va_arg(ap, const char *));
			break;
		case 'd':
		case 'i':
			if (lng == 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else if (lng == 3)
				s = (long long)va_arg(ap, size_t);
			else
				s = va_arg(ap, int);
			u = s < 0 ? 0 - (unsigned long long)s :
				    (unsigned long long)s;
			put_num(&o, &sp, u, 10, false, s < 0 ? "-" : "");
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng == 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else if (lng == 3)
				u = va_arg(ap, size_t);
			else
				u = va_arg(ap, unsigned int);
			put_num(&o, &sp, u, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				"");
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			put_num(&o, &sp, u, 16, false, "0x");
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* not a conversion we know: print it as written */
			if (!*fmt)
				fmt--;
			while (start <= fmt)
				put(&o, *start++);
			break;
		}
		fmt++;
	}
	return o.n;
}

struct buf_out {
	char *buf;
	size_t size, pos;
};

static void buf_put(char c, void *arg)
{
	struct buf_out *b = arg;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int RT_FN(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_out b = { .buf = buf, .size = size, .pos = 0 };
	int n = rt_vformat(buf_put, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int RT_FN(snprintf)(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = RT_FN(vsnprintf)(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
