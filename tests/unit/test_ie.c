/* test_ie.c - the generated information-element dictionary.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "nf_dict.h"
#include "nf_ie.h"
#include "nf_template.h"

static void assert_snake(const char *name)
{
	size_t n = strlen(name);
	assert_true(n > 0);
	assert_true(name[0] != '_' && name[n - 1] != '_');
	assert_null(strstr(name, "__"));
	for (size_t i = 0; i < n; i++)
		assert_true((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
			    name[i] == '_');
}

static void tables_sorted_and_named(void **state)
{
	(void)state;
	assert_true(nf_ie_table_len > 1500);
	for (size_t i = 0; i < nf_ie_table_len; i++) {
		assert_snake(nf_ie_table[i].name);
		assert_true(nf_ie_table[i].type < NF_T__COUNT);
		if (i > 0) {
			const nf_ie_t *a = &nf_ie_table[i - 1], *b = &nf_ie_table[i];
			assert_true(a->pen < b->pen || (a->pen == b->pen && a->id < b->id));
		}
	}
	for (size_t i = 0; i < nf_ie_v9_table_len; i++) {
		assert_snake(nf_ie_v9_table[i].name);
		if (i > 0)
			assert_true(nf_ie_v9_table[i - 1].id < nf_ie_v9_table[i].id);
	}
}

/* Names are unique: a RainerScript path must mean one element. */
static void names_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < nf_ie_table_len; i++)
		for (size_t j = i + 1; j < nf_ie_table_len; j++)
			assert_string_not_equal(nf_ie_table[i].name, nf_ie_table[j].name);
}

static void iana_names_as_filebeat_spells_them(void **state)
{
	static const struct { uint16_t id; const char *name; } want[] = {
		{1, "octet_delta_count"}, {2, "packet_delta_count"}, {4, "protocol_identifier"},
		{5, "ip_class_of_service"}, {6, "tcp_control_bits"}, {7, "source_transport_port"},
		{8, "source_ipv4_address"}, {10, "ingress_interface"}, {12, "destination_ipv4_address"},
		{14, "egress_interface"}, {15, "ip_next_hop_ipv4_address"}, {16, "bgp_source_as_number"},
		{22, "flow_start_sys_up_time"}, {27, "source_ipv6_address"}, {43, "ipv4_router_sc"},
		{152, "flow_start_milliseconds"}, {225, "post_nat_source_ipv4_address"},
		{227, "post_napt_source_transport_port"}, {234, "ingress_vrfid"}, {243, "dot1q_vlan_id"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const nf_ie_t *e = nf_ie_lookup(0, want[i].id);
		assert_non_null(e);
		assert_string_equal(e->name, want[i].name);
	}
	assert_int_equal(nf_ie_lookup(0, 1)->type, NF_T_U64);
	assert_int_equal(nf_ie_lookup(0, 1)->semantics, NF_S_DELTA_COUNTER);
	assert_int_equal(nf_ie_lookup(0, 8)->type, NF_T_IPV4);
	assert_int_equal(nf_ie_lookup(0, 156)->type, NF_T_DT_NANO);
	assert_int_equal(nf_ie_lookup(0, 292)->type, NF_T_SUBTEMPLATE_LIST);
}

static void reverse_vendor_and_v9(void **state)
{
	(void)state;
	assert_string_equal(nf_ie_lookup(NF_PEN_REVERSE, 1)->name, "reverse_octet_delta_count");
	assert_non_null(nf_ie_lookup(35632, 78));   /* ntop */
	assert_non_null(nf_ie_lookup(6871, 12));    /* CERT / YAF */
	assert_non_null(nf_ie_lookup_v9(40005));    /* Cisco ASA NSEL firewall event */
	/* Filebeat's names for the ASA NSEL fields (contrib/dictionaries/README.md) */
	assert_string_equal(nf_ie_lookup_v9(33002)->name, "fw_ext_event");
	assert_string_equal(nf_ie_lookup_v9(33000)->name, "ingress_acl_id");
	assert_string_equal(nf_ie_lookup_v9(40000)->name, "asa_username");
	/* a v9 field type that IANA numbers the same is the IANA element */
	assert_ptr_equal(nf_ie_lookup_v9(8), nf_ie_lookup(0, 8));
	assert_null(nf_ie_lookup(0, 0));
	assert_null(nf_ie_lookup(0, 30000));
	assert_null(nf_ie_lookup(4242424, 1));
	assert_null(nf_ie_lookup_v9(30000));
}

/* A dictionary file adds elements, overrides built-in ones, and names v9
 * field types; unusable lines are counted, not fatal. */
static void dictionary_file(void **state)
{
	static char text[] = "pen\tid\tname\ttype\tsemantics\n"
			     "99999\t7\tMy Vendor Field\tunsigned32\tquantity\n"
			     "0\t8\tsrc_addr_override\tipv4Address\n"
			     "v9\t45000\tbox_serial\tstring\n"
			     "99999\tx\tbad id\n"
			     "99999\t8\tbad type\tnumber\n"
			     "\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	long loaded, skipped, first_bad;
	nf_dict_t *d = nf_dict_load(f, &loaded, &skipped, &first_bad);
	nf_template_t *t;
	const nf_field_spec_t specs[] = {{99999, 7, 4}, {0, 8, 4}, {0, 12, 4}};
	(void)state;
	fclose(f);
	assert_non_null(d);
	assert_int_equal(loaded, 3);
	assert_int_equal(skipped, 2);
	assert_int_equal(first_bad, 5);
	assert_string_equal(nf_dict_lookup(d, 99999, 7)->name, "my_vendor_field");
	assert_int_equal(nf_dict_lookup(d, 99999, 7)->type, NF_T_U32);
	assert_string_equal(nf_dict_lookup_v9(d, 45000)->name, "box_serial");
	assert_null(nf_dict_lookup(d, 99999, 8));
	assert_int_equal(nf_template_compile(NF_FLAVOR_IPFIX, d, 256, specs, 3, 0, 0, &t), NF_OK);
	assert_string_equal(t->ops[0].ie->name, "my_vendor_field");
	assert_string_equal(t->ops[1].ie->name, "src_addr_override");
	assert_string_equal(t->ops[2].ie->name, "destination_ipv4_address");
	nf_template_free(t);
	nf_dict_free(d);
	f = fmemopen((char *)"pen\tname\n", 9, "r");
	assert_null(nf_dict_load(f, &loaded, &skipped, &first_bad));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_sorted_and_named),
		cmocka_unit_test(names_unique),
		cmocka_unit_test(iana_names_as_filebeat_spells_them),
		cmocka_unit_test(reverse_vendor_and_v9),
		cmocka_unit_test(dictionary_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
