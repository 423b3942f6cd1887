// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: kernel command-line splitting and module parameters. */
#include <string.h>

#include "kselftest_harness.h"
#include "cmdline.h"

struct words {
	int n;
	char w[8][64];
};

static void grab(const char *word, size_t len, void *arg)
{
	struct words *ws = arg;

	if (ws->n < 8 && len < 64) {
		memcpy(ws->w[ws->n], word, len);
		ws->w[ws->n][len] = 0;
	}
	ws->n++;
}

TEST(split_plain)
{
	struct words ws = { 0 };

	ASSERT_EQ(3, cmdline_split("  console=ttyS0\tquiet  panic=-1\n", grab,
				   &ws));
	EXPECT_STREQ("console=ttyS0", ws.w[0]);
	EXPECT_STREQ("quiet", ws.w[1]);
	EXPECT_STREQ("panic=-1", ws.w[2]);
}

TEST(split_quotes)
{
	struct words ws = { 0 };

	ASSERT_EQ(2, cmdline_split("a=\"x y z\" b", grab, &ws));
	EXPECT_STREQ("a=\"x y z\"", ws.w[0]);
	EXPECT_STREQ("b", ws.w[1]);
}

TEST(split_empty)
{
	struct words ws = { 0 };

	EXPECT_EQ(0, cmdline_split("", grab, &ws));
	EXPECT_EQ(0, cmdline_split("   \n", grab, &ws));
	EXPECT_EQ(0, ws.n);
}

TEST(split_unterminated_quote)
{
	struct words ws = { 0 };

	EXPECT_EQ(-1, cmdline_split("a \"b c", grab, &ws));
}

TEST(module_params_collects_only_ours)
{
	char out[128];

	ASSERT_EQ(34, cmdline_module_params(
		"quiet hcl.vtl0_base=0x10000000 hclx.y=1 hcl. hcl.vtl0_size=64M "
		"memmap=64M$256M hcl=3", "hcl", out, sizeof(out)));
	EXPECT_STREQ("vtl0_base=0x10000000 vtl0_size=64M", out);
}

TEST(module_params_none)
{
	char out[16] = "junk";

	EXPECT_EQ(0, cmdline_module_params("quiet loglevel=4", "hcl", out,
					   sizeof(out)));
	EXPECT_STREQ("", out);
}

TEST(module_params_overflow)
{
	char out[8];

	EXPECT_EQ(-1, cmdline_module_params("hcl.vtl0_size=64M", "hcl", out,
					    sizeof(out)));
	EXPECT_EQ(-1, cmdline_module_params("hcl.a=1", "hcl", out, 0));
}

TEST(module_params_malformed)
{
	char out[64];

	EXPECT_EQ(-1, cmdline_module_params("hcl.a=\"1", "hcl", out,
					    sizeof(out)));
}

TEST(module_params_dash_is_underscore)
{
	char out[64];

	ASSERT_EQ(12, cmdline_module_params("kvm_amd.npt=1 kvm-amd.avic=0 kvm.x=1",
					    "kvm-amd", out, sizeof(out)));
	EXPECT_STREQ("npt=1 avic=0", out);
	ASSERT_EQ(3, cmdline_module_params("kvm-amd.npt=1 kvm.x=1", "kvm",
					   out, sizeof(out)));
	EXPECT_STREQ("x=1", out);
}

TEST_HARNESS_MAIN
