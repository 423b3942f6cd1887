// SPDX-License-Identifier: GPL-2.0
/* The VTL2 kernel command line: static line + host line by policy. */
#include <string.h>

#include "cmdline.h"

int shim_cmdline_validate(const char *line, size_t len, const char *what,
			  char *err, size_t errlen)
{
	size_t open_at = 0;
	bool in_quote = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			return shim_errf(err, errlen, SHIM_ECMDLINE,
					 "%s: character %x at offset %u is not printable ASCII",
					 what, (unsigned long long)c,
					 (unsigned long long)i);
		if (c == '"') {
			in_quote = !in_quote;
			open_at = i;
		}
	}
	if (in_quote)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "%s: unbalanced double quote at offset %u",
				 what, (unsigned long long)open_at);
	return 0;
}

int shim_cmdline_option(const char *line, size_t len, const char *word,
			const char *const *values, int nvalues, int *idx,
			const char *what, char *err, size_t errlen)
{
	const size_t wl = strlen(word);
	size_t i = 0;

	while (i < len) {
		size_t start, end;
		bool q = false;
		int v;

		while (i < len && line[i] == ' ')
			i++;
		start = i;
		while (i < len && (q || line[i] != ' ')) {
			if (line[i] == '"')
				q = !q;
			i++;
		}
		end = i;
		if (end - start < wl || memcmp(line + start, word, wl))
			continue;
		for (v = 0; v < nvalues; v++)
			if (end - start - wl == strlen(values[v]) &&
			    !memcmp(line + start + wl, values[v],
				    end - start - wl))
				break;
		if (v == nvalues) {
			char list[96] = "";
			size_t n = 0;

			/* "a, b or c" */
			for (v = 0; v < nvalues; v++) {
				const char *sep = !v ? "" :
					v == nvalues - 1 ? " or " : ", ";
				size_t sl = strlen(sep), vl = strlen(values[v]);

				if (n + sl + vl >= sizeof(list))
					break;
				memcpy(list + n, sep, sl);
				memcpy(list + n + sl, values[v], vl);
				n += sl + vl;
				list[n] = 0;
			}
			return shim_errf(err, errlen, SHIM_ECMDLINE,
					 "%s: %s at offset %u: expected %s",
					 what, word, (unsigned long long)start,
					 list);
		}
		*idx = v;
	}
	return 0;
}

int shim_cmdline_policy(const char *line, size_t len,
			enum shim_host_cmdline_policy *policy,
			char *err, size_t errlen)
{
	static const char *const values[] = { "ignore", "append" };
	int idx = SHIM_HOST_CMDLINE_IGNORE;
	int rc;

	rc = shim_cmdline_option(line, len, SHIM_CMDLINE_POLICY_WORD, values,
				 2, &idx, "static command line", err, errlen);
	*policy = (enum shim_host_cmdline_policy)idx;
	return rc;
}

int shim_cmdline_sidecar(const char *line, bool *enabled, char *err,
			 size_t errlen)
{
	static const char *const values[] = { "on", "off" };
	int idx = 0;
	int rc;

	rc = shim_cmdline_option(line, strlen(line), SHIM_CMDLINE_SIDECAR_WORD,
				 values, 2, &idx, "command line", err, errlen);
	*enabled = idx == 0;
	return rc;
}

int shim_cmdline_sidecar_fault(const char *line, uint32_t *kind, char *err,
			       size_t errlen)
{
	static const char *const values[] = { "none", "ud", "pf", "de" };
	int idx = 0;
	int rc;

	rc = shim_cmdline_option(line, strlen(line),
				 SHIM_CMDLINE_SIDECAR_FAULT_WORD, values, 4,
				 &idx, "command line", err, errlen);
	*kind = (uint32_t)idx;
	return rc;
}

int shim_cmdline_append_maxcpus(char *line, size_t size, uint32_t n,
				char *err, size_t errlen)
{
	static const char word[] = " maxcpus=";
	size_t len = strlen(line);
	char num[11];
	int k = 0;

	do {
		num[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (len + sizeof(word) - 1 + k > SHIM_CMDLINE_MAX ||
	    len + sizeof(word) - 1 + k + 1 > size)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "command line: no room for \"maxcpus=\" after %u bytes",
				 (unsigned long long)len);
	memcpy(line + len, word, sizeof(word) - 1);
	len += sizeof(word) - 1;
	while (k)
		line[len++] = num[--k];
	line[len] = 0;
	return 0;
}

static size_t bounded_len(const char *s, size_t max, bool *terminated)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	*terminated = n < max;
	return n;
}

/* host line without leading and trailing spaces */
static const char *trim(const char *s, size_t *len)
{
	while (*len && *s == ' ') {
		s++;
		(*len)--;
	}
	while (*len && s[*len - 1] == ' ')
		(*len)--;
	return s;
}

int shim_cmdline_build(const char *static_line, size_t static_max,
		       const char *host_line, char *out, size_t outsz,
		       char *err, size_t errlen)
{
	enum shim_host_cmdline_policy policy;
	size_t slen, hlen = 0, total, limit;
	const char *h = NULL;
	bool term;
	int rc;

	if (outsz)
		out[0] = 0;
	if (!static_line)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "static command line: missing");
	slen = bounded_len(static_line, static_max, &term);
	if (!term)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "static command line: no NUL within %u bytes",
				 (unsigned long long)static_max);
	rc = shim_cmdline_validate(static_line, slen, "static command line",
				   err, errlen);
	if (rc)
		return rc;
	rc = shim_cmdline_policy(static_line, slen, &policy, err, errlen);
	if (rc)
		return rc;
	if (host_line && policy == SHIM_HOST_CMDLINE_APPEND) {
		hlen = strlen(host_line);
		rc = shim_cmdline_validate(host_line, hlen,
					   "host command line", err, errlen);
		if (rc)
			return rc;
		h = trim(host_line, &hlen);
	}
	total = slen + (hlen && slen ? 1 : 0) + hlen;
	if (total > SHIM_CMDLINE_MAX)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "command line: %u bytes exceed the limit of %u",
				 (unsigned long long)total,
				 (unsigned long long)SHIM_CMDLINE_MAX);
	limit = outsz ? outsz - 1 : 0;
	if (total > limit || !outsz)
		return shim_errf(err, errlen, SHIM_ENOSPC,
				 "command line: %u bytes do not fit a %u-byte buffer",
				 (unsigned long long)total,
				 (unsigned long long)outsz);
	memcpy(out, static_line, slen);
	if (hlen) {
		if (slen)
			out[slen++] = ' ';
		memcpy(out + slen, h, hlen);
	}
	out[total] = 0;
	return (int)total;
}
