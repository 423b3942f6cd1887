// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "guest.h"

static const struct guest_profile *profiles;

void guest_register(struct guest_profile *p)
{
	p->next = profiles;
	profiles = p;
}

const struct guest_profile *guest_find(const void *img, size_t len)
{
	const struct guest_profile *p;

	for (p = profiles; p; p = p->next)
		if (p->probe && p->probe(img, len))
			return p;
	for (p = profiles; p; p = p->next)
		if (!p->probe)
			return p;
	return NULL;
}

const struct guest_profile *guest_by_name(const char *name)
{
	const struct guest_profile *p;

	for (p = profiles; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}
