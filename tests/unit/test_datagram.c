/* test_datagram.c - the core's one entry, nf_decode_datagram: protocol
 * detection and dispatch, and the policy it does for every protocol
 * (sequence accounting, renormalisation, what each record is).
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nf_datagram.h"
#include "pktbuild.h"

#define NOW 1795870712

static pkt_t pkt;
static nf_record_t scratch;
static nf_session_t *session;
static nf_record_kind_t kinds[8];
static uint64_t packets[8];
static int nemitted;
static int had_agent;
static const nf_sampling_map_t *sampling_map;

static void count(void *ctx, const nf_emitted_t *e)
{
	const nf_field_t *f = nf_record_find(e->record, NF_PEN_IANA, NF_IE_PACKET_DELTA_COUNT);

	(void)ctx;
	assert_true(nemitted < 8);
	had_agent = e->agent != NULL;
	packets[nemitted] = f != NULL ? f->v.u : 0;
	kinds[nemitted++] = e->kind;
}

static int setup(void **state)
{
	nf_limits_t limits;

	(void)state;
	nf_limits_default(&limits);
	session = nf_session_new(&limits);
	nemitted = 0;
	return session == NULL;
}

static int teardown(void **state)
{
	(void)state;
	nf_session_free(session);
	return 0;
}

static int decode(int renormalize, nf_decode_result_t *r)
{
	nf_decoder_t d = {.session = session, .now = NOW, .emit = count, .record = &scratch,
			  .renormalize = renormalize, .sampling_map = sampling_map};
	int rc;

	nemitted = 0;
	d.exporter.addr[15] = 1;
	d.source = d.exporter;
	rc = nf_decode_datagram(&d, pkt.b, pkt.len);
	*r = d.result;
	return rc;
}

/* A v5 datagram of n records (10 packets each), sampling interval 100. */
static void v5(uint32_t sequence, uint16_t n)
{
	pkt.len = 0;
	pb_u16(&pkt, 5);
	pb_u16(&pkt, n);
	pb_u32(&pkt, 60000);
	pb_u32(&pkt, NOW);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, sequence);
	pb_u8(&pkt, 0);
	pb_u8(&pkt, 3);        /* engine id */
	pb_u16(&pkt, 0x4064);  /* mode 1, interval 100 */
	for (uint16_t i = 0; i < n; i++) {
		pb_ipv4(&pkt, 10, 0, 0, 1);
		pb_ipv4(&pkt, 10, 0, 0, 2);
		pb_zero(&pkt, 8);      /* next hop, interfaces */
		pb_u32(&pkt, 10);      /* packets */
		pb_u32(&pkt, 1000);    /* octets */
		pb_u32(&pkt, 50000);   /* first */
		pb_u32(&pkt, 55000);   /* last */
		pb_u16(&pkt, 1234);
		pb_u16(&pkt, 80);
		pb_u8(&pkt, 0);
		pb_u8(&pkt, 0x10);
		pb_u8(&pkt, 6);
		pb_zero(&pkt, 9);
	}
}

/* An sFlow datagram of agent 192.0.2.9 with one flow sample (rate 512,
 * one raw-header record of an empty header: one packet of 100 bytes) and
 * one sample of an unknown format. */
static void sflow(uint32_t sequence)
{
	pkt.len = 0;
	pb_u32(&pkt, 5);
	pb_u32(&pkt, 1);
	pb_ipv4(&pkt, 192, 0, 2, 9);
	pb_u32(&pkt, 0);        /* sub-agent */
	pb_u32(&pkt, sequence);
	pb_u32(&pkt, 123456);   /* uptime */
	pb_u32(&pkt, 2);        /* samples */
	pb_u32(&pkt, 1);        /* flow sample */
	pb_u32(&pkt, 56);
	pb_u32(&pkt, 1);        /* sequence */
	pb_u32(&pkt, 7);        /* source id */
	pb_u32(&pkt, 512);      /* sampling rate */
	pb_u32(&pkt, 1000);     /* pool */
	pb_u32(&pkt, 0);        /* drops */
	pb_u32(&pkt, 7);        /* input */
	pb_u32(&pkt, 8);        /* output */
	pb_u32(&pkt, 1);        /* records */
	pb_u32(&pkt, 1);        /* raw packet header */
	pb_u32(&pkt, 16);
	pb_u32(&pkt, 1);        /* Ethernet */
	pb_u32(&pkt, 100);      /* frame length */
	pb_u32(&pkt, 4);        /* stripped */
	pb_u32(&pkt, 0);        /* header bytes */
	pb_u32(&pkt, 99);       /* an unknown sample format */
	pb_u32(&pkt, 4);
	pb_u32(&pkt, 0);
}

static void v5_flows_are_counted_and_renormalised(void **state)
{
	nf_decode_result_t r;

	(void)state;
	v5(1000, 2);
	assert_int_equal(decode(1, &r), NF_END);
	assert_int_equal(r.protocol, NF_PROTO_NETFLOW);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.kind[NF_KIND_FLOW], 2);
	assert_int_equal(kinds[1], NF_KIND_FLOW);
	assert_int_equal(packets[0], 1000); /* 10 x the header's 100 */
	assert_false(had_agent);
	assert_int_equal(r.info.version, 5); /* the header, for the glue's exporter health */
	assert_int_equal(r.info.sys_uptime_ms, 60000);
	assert_int_equal(r.agent.addr_len, 0);
	v5(1002, 1); /* the flows 1000 and 1001 were in the first */
	assert_int_equal(decode(0, &r), NF_END);
	assert_int_equal(r.sequence_missing, 0);
	assert_int_equal(packets[0], 10);
	v5(1010, 1); /* 1003 to 1009 are missing */
	assert_int_equal(decode(0, &r), NF_END);
	assert_int_equal(r.sequence_missing, 7);
}

static nf_sampling_map_t *map_of(const char *text, char *errors, size_t size)
{
	char path[] = "/tmp/test_sampling_XXXXXX";
	int fd = mkstemp(path);
	nf_sampling_map_t *m;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	m = nf_sampling_map_load(path, errors, size);
	unlink(path);
	return m;
}

/* An exporter that states no rate (v5 header interval 0) gets the map's:
 * the most specific entry, shown as sampling_interval and renormalised. */
static void sampling_map_gives_unstated_rates(void **state)
{
	char errors[256];
	nf_sampling_map_t *m = map_of("# exporter,domain,rate\n::1,50\n::1, 3 ,200\n::2,7\n", errors, sizeof(errors));
	nf_decode_result_t r;

	(void)state;
	assert_non_null(m);
	sampling_map = m;
	v5(1, 1);
	pkt.b[22] = pkt.b[23] = 0; /* the header's sampling: none */
	assert_int_equal(decode(1, &r), NF_END);
	assert_int_equal(packets[0], 10 * 200); /* engine id 3: the domain's entry */
	pkt.b[21] = 4;
	assert_int_equal(decode(1, &r), NF_END);
	assert_int_equal(packets[0], 10 * 50); /* another engine: the exporter's */
	v5(3, 1); /* a rate of its own (100) wins */
	assert_int_equal(decode(1, &r), NF_END);
	assert_int_equal(packets[0], 10 * 100);
	sampling_map = NULL;
	nf_sampling_map_free(m);
	assert_null(map_of("::1,50\n10.0.0.300,4\n", errors, sizeof(errors)));
	assert_non_null(strstr(errors, ":2: expected exporter[,domain[,sampler]],rate"));
	assert_null(map_of("::1,0\n", errors, sizeof(errors)));
	assert_null(nf_sampling_map_load("/nonexistent/sampling.csv", errors, sizeof(errors)));
	assert_non_null(strstr(errors, "/nonexistent/sampling.csv: No such file"));
}

static void sflow_agents_are_counted_and_samples_renormalised(void **state)
{
	nf_decode_result_t r;

	(void)state;
	sflow(1);
	assert_int_equal(decode(1, &r), NF_OK);
	assert_int_equal(r.protocol, NF_PROTO_SFLOW);
	assert_int_equal(r.records, 1);
	assert_int_equal(r.skipped, 1);
	assert_int_equal(kinds[0], NF_KIND_FLOW);
	assert_int_equal(packets[0], 512); /* one sampled packet stands for 512 */
	assert_true(had_agent);
	assert_int_equal(r.agent.addr_len, 4);
	assert_memory_equal(r.agent.addr, "\xc0\x00\x02\x09", 4);
	sflow(4); /* datagrams 2 and 3 are missing */
	assert_int_equal(decode(0, &r), NF_OK);
	assert_int_equal(r.sequence_missing, 2);
	assert_int_equal(packets[0], 1);
}

/* Versions the core does not decode (and v8 of no aggregation scheme),
 * and datagrams too short for a version, are NetFlow's to reject; nothing
 * is emitted. */
static void unknown_versions_are_rejected(void **state)
{
	static const uint16_t versions[] = {0, 2, 3, 8, 11, 0xffff};
	nf_decode_result_t r;

	(void)state;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		pkt.len = 0;
		pb_u16(&pkt, versions[i]);
		pb_zero(&pkt, 46);
		assert_int_equal(decode(0, &r), NF_ERR_VERSION);
		assert_int_equal(r.protocol, NF_PROTO_NETFLOW);
		assert_int_equal(nemitted, 0);
	}
	pkt.len = 1;
	assert_int_equal(decode(0, &r), NF_ERR_SHORT);
	assert_int_equal(nf_datagram_protocol(pkt.b, 0), NF_PROTO_NETFLOW);
}

static void ipfix_is_told_apart(void **state)
{
	nf_decode_result_t r;

	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	pb_ipfix_end(&pkt);
	assert_int_equal(nf_datagram_protocol(pkt.b, pkt.len), NF_PROTO_IPFIX);
	assert_int_equal(decode(0, &r), NF_OK);
	assert_int_equal(r.protocol, NF_PROTO_IPFIX);
	pb_v9_header(&pkt, 0, 60000, NOW, 0, 1);
	assert_int_equal(nf_datagram_protocol(pkt.b, pkt.len), NF_PROTO_NETFLOW);
	assert_int_equal(decode(0, &r), NF_OK);
}

static void kinds_have_names(void **state)
{
	(void)state;
	assert_string_equal(nf_record_kind_name(NF_KIND_FLOW), "flow");
	assert_string_equal(nf_record_kind_name(NF_KIND_OPTIONS), "options");
	assert_string_equal(nf_record_kind_name(NF_KIND_COUNTERS), "counters");
	assert_string_equal(nf_record_kind_name(NF_KIND_DISCARD), "discard");
	assert_string_equal(nf_record_kind_name(NF_KIND__COUNT), "flow");
}

/* Stream framing: whole messages, waiting for more, and the headers that
 * close a connection, told as soon as their first 4 bytes are in. */
static void ipfix_messages_are_framed_by_length(void **state)
{
	static const uint8_t two[] = {0, 10, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 10, 0, 20};
	static const uint8_t v9[] = {0, 9, 0, 1}, tiny[] = {0, 10, 0, 15}, sflow[] = {0, 0, 0, 5};
	size_t len = 0;
	uint16_t version = 0;

	(void)state;
	assert_int_equal(nf_ipfix_frame(two, sizeof(two), &len, &version), NF_OK);
	assert_int_equal(len, 16);
	assert_int_equal(nf_ipfix_frame(two + 16, sizeof(two) - 16, &len, &version), NF_END); /* 4 of 20 */
	assert_int_equal(len, 20);
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(nf_ipfix_frame(two, n, &len, &version), NF_END);
	assert_int_equal(nf_ipfix_frame(two, 15, &len, &version), NF_END);
	assert_int_equal(nf_ipfix_frame(v9, sizeof(v9), &len, &version), NF_ERR_VERSION);
	assert_int_equal(version, 9);
	assert_int_equal(nf_ipfix_frame(sflow, sizeof(sflow), &len, &version), NF_ERR_VERSION);
	assert_int_equal(version, 0);
	assert_int_equal(nf_ipfix_frame(tiny, sizeof(tiny), &len, &version), NF_ERR_SHORT);
	assert_int_equal(len, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v5_flows_are_counted_and_renormalised, setup, teardown),
		cmocka_unit_test_setup_teardown(sflow_agents_are_counted_and_samples_renormalised, setup, teardown),
		cmocka_unit_test_setup_teardown(sampling_map_gives_unstated_rates, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_versions_are_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_is_told_apart, setup, teardown),
		cmocka_unit_test(kinds_have_names),
		cmocka_unit_test(ipfix_messages_are_framed_by_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
