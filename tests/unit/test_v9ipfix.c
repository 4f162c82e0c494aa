/* test_v9ipfix.c - the NetFlow v9 / IPFIX set walker and template engine.
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nf_v9ipfix.h"
#include "pktbuild.h"

#define MAX_SAVED 64
#define NOW 1795870712

/* Records the decoder emitted, with copies of the bytes they point to. */
typedef struct saved {
	nf_record_t rec;
	nf_datagram_info_t info;
	int is_options;
	uint8_t bytes[4096];
} saved_t;

static saved_t saved[MAX_SAVED];
static int nsaved;
static nf_record_t scratch;
static nf_session_t *session;
static pkt_t pkt;

static void save(void *ctx, const nf_emitted_t *e)
{
	const nf_record_t *rec = e->record;
	saved_t *s;
	size_t used = 0;
	(void)ctx;
	assert_true(nsaved < MAX_SAVED);
	assert_non_null(e->templates);
	assert_null(e->agent);
	s = &saved[nsaved++];
	memcpy(&s->rec, rec, sizeof(*rec));
	s->info = *e->info;
	s->is_options = e->kind == NF_KIND_OPTIONS;
	for (uint16_t i = 0; i < rec->nfields; i++) {
		nf_field_t *f = &s->rec.field[i];
		if (f->type == NF_T_STRING || f->type == NF_T_OCTETS ||
		    (f->type >= NF_T_BASIC_LIST && f->type <= NF_T_SUBTEMPLATE_MULTILIST)) {
			assert_true(used + f->len <= sizeof(s->bytes));
			memcpy(s->bytes + used, f->v.p, f->len);
			f->v.p = s->bytes + used;
			used += f->len;
		}
	}
}

static int setup(void **state)
{
	nf_limits_t limits;
	(void)state;
	nf_limits_default(&limits);
	session = nf_session_new(&limits);
	nsaved = 0;
	return session == NULL;
}

static int teardown(void **state)
{
	(void)state;
	nf_session_free(session);
	return 0;
}

/* Decodes pkt as if sent by 192.0.2.<host>:<port>. */
static int decode_from(uint8_t host, uint16_t port, nf_decode_result_t *result)
{
	nf_decoder_t ctx = {.session = session, .now = NOW, .emit = save, .record = &scratch};
	int rc;
	ctx.exporter.addr[10] = ctx.exporter.addr[11] = 0xff;
	ctx.exporter.addr[12] = 192;
	ctx.exporter.addr[14] = 2;
	ctx.exporter.addr[15] = host;
	ctx.exporter.port = port;
	ctx.source = ctx.exporter;
	rc = nf_v9ipfix_decode(&ctx, pkt.b, pkt.len);
	if (result != NULL)
		*result = ctx.result;
	return rc;
}

static int decode(nf_decode_result_t *result)
{
	return decode_from(1, 0, result);
}

static const nf_field_t *field(int n, uint32_t pen, uint16_t id)
{
	const nf_field_t *f = nf_record_find(&saved[n].rec, pen, id);
	assert_non_null(f);
	return f;
}

static uint64_t u(int n, uint16_t id)
{
	return field(n, 0, id)->v.u;
}

/* ---- NetFlow v9 ---- */

static void v9_template(pkt_t *p, uint16_t id)
{
	size_t s = pb_set_begin(p, 0);
	pb_u16(p, id);
	pb_u16(p, 9);
	pb_field(p, 0, 8, 4);   /* sourceIPv4Address */
	pb_field(p, 0, 12, 4);  /* destinationIPv4Address */
	pb_field(p, 0, 7, 2);   /* sourceTransportPort */
	pb_field(p, 0, 11, 2);  /* destinationTransportPort */
	pb_field(p, 0, 4, 1);   /* protocolIdentifier */
	pb_field(p, 0, 2, 4);   /* packetDeltaCount, reduced to 4 bytes */
	pb_field(p, 0, 1, 8);   /* octetDeltaCount */
	pb_field(p, 0, 22, 4);  /* flowStartSysUpTime */
	pb_field(p, 0, 21, 4);  /* flowEndSysUpTime */
	pb_set_end(p, s);
}

static void v9_data(pkt_t *p, uint16_t id, int nrecords, int pad)
{
	size_t s = pb_set_begin(p, id);
	for (int i = 0; i < nrecords; i++) {
		pb_ipv4(p, 10, 0, 0, (uint8_t)(i + 1));
		pb_ipv4(p, 192, 0, 2, 200);
		pb_u16(p, (uint16_t)(40000 + i));
		pb_u16(p, 443);
		pb_u8(p, 6);
		pb_u32(p, 10);
		pb_u32(p, 0);
		pb_u32(p, 1500);
		pb_u32(p, 50000);  /* first, 10 s before export (uptime 60000) */
		pb_u32(p, 59000);
	}
	pb_zero(p, (size_t)pad);
	pb_set_end(p, s);
}

static void v9_template_and_data(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_v9_header(&pkt, 3, 60000, NOW, 1, 77);
	v9_template(&pkt, 256);
	v9_data(&pkt, 256, 2, 3); /* 3 bytes of padding after the records */
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.templates, 1);
	assert_int_equal(r.kind[NF_KIND_FLOW], 2);
	assert_int_equal(nsaved, 2);
	for (int i = 0; i < 2; i++) {
		assert_memory_equal(field(i, 0, 8)->v.b, "\x0a\x00\x00", 3);
		assert_int_equal(field(i, 0, 8)->v.b[3], i + 1);
		assert_string_equal(field(i, 0, 8)->ie->name, "source_ipv4_address");
		assert_int_equal(u(i, 7), 40000 + i);
		assert_int_equal(u(i, 11), 443);
		assert_int_equal(u(i, 4), 6);
		assert_int_equal(u(i, 2), 10);
		assert_int_equal(u(i, 1), 1500);
		assert_int_equal(saved[i].rec.start_ms, (int64_t)NOW * 1000 - 10000);
		assert_int_equal(saved[i].rec.end_ms, (int64_t)NOW * 1000 - 1000);
		assert_int_equal(u(i, NF_IE_FLOW_END_MILLISECONDS), (uint64_t)NOW * 1000 - 1000);
		assert_int_equal(saved[i].info.source_id, 77);
		assert_int_equal(saved[i].info.version, 9);
		assert_false(saved[i].is_options);
	}
}

/* Data sets whose template has not arrived are kept and decoded once it
 * comes; their records keep the facts of the datagram they came in. */
static void v9_data_before_template(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_v9_header(&pkt, 1, 60000, NOW - 5, 1, 0);
	v9_data(&pkt, 300, 3, 0);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	assert_int_equal(r.sets_pending, 1);
	assert_int_equal(nsaved, 0);
	pb_v9_header(&pkt, 1, 65000, NOW, 2, 0);
	v9_template(&pkt, 300);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 3);
	assert_int_equal(nsaved, 3);
	assert_int_equal(saved[0].info.export_sec, NOW - 5);
	assert_int_equal(nf_session_stats(session)->pending_decoded, 1);
}

/* Templates are scoped per exporter address and source id. */
static void v9_scopes_are_separate(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 0);
	v9_template(&pkt, 256);
	assert_int_equal(decode_from(1, 0, &r), NF_OK);
	/* another exporter: same template id, unknown there */
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 0);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(decode_from(2, 0, &r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	assert_int_equal(r.sets_pending, 1);
	/* same exporter, another source id */
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 5);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(decode_from(1, 0, &r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	/* the exporter that sent it */
	pb_v9_header(&pkt, 1, 60000, NOW, 2, 0);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(decode_from(1, 0, &r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
}

static void v9_options_template(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_v9_header(&pkt, 2, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 1);
	pb_u16(&pkt, 257);
	pb_u16(&pkt, 4);     /* scope part: 4 bytes = 1 field */
	pb_u16(&pkt, 8);     /* option part: 8 bytes = 2 fields */
	pb_field(&pkt, 0, 1, 4);  /* scope: system */
	pb_field(&pkt, 0, 34, 4); /* samplingInterval */
	pb_field(&pkt, 0, 35, 1); /* samplingAlgorithm */
	pb_zero(&pkt, 2);         /* padding */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 257);
	pb_ipv4(&pkt, 192, 0, 2, 1);
	pb_u32(&pkt, 100);
	pb_u8(&pkt, 2);
	pb_zero(&pkt, 3);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.templates, 1);
	assert_int_equal(r.kind[NF_KIND_OPTIONS], 1);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	assert_true(saved[0].is_options);
	assert_string_equal(field(0, NF_PEN_LOCAL, 0x101)->ie->name, "scope_system");
	assert_int_equal(u(0, 34), 100);
	assert_int_equal(u(0, 35), 2);
}

/* The rate an options record announces is attached to the exporter's later
 * flows, and with renormalize their counts are scaled by it. */
static void sampling_from_options(void **state)
{
	nf_decode_result_t r;
	nf_decoder_t ctx = {.session = session, .now = NOW, .emit = save, .record = &scratch,
				.renormalize = 1};
	(void)state;
	v9_options_template(state); /* samplingInterval 100 */
	pb_v9_header(&pkt, 2, 60000, NOW, 2, 0);
	v9_template(&pkt, 256);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(u(1, NF_IE_SAMPLING_INTERVAL), 100);
	assert_int_equal(u(1, 2), 10);
	memcpy(ctx.exporter.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", 16);
	ctx.source = ctx.exporter;
	pb_v9_header(&pkt, 1, 60000, NOW, 3, 0);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(nf_v9ipfix_decode(&ctx, pkt.b, pkt.len), NF_OK);
	assert_int_equal(u(2, 2), 1000);   /* packets x 100 */
	assert_int_equal(u(2, 1), 150000); /* octets x 100 */
}

/* A flow stating a sampling interval of 0 keeps its own field, shown
 * once; the rate its exporter announced still renormalises its counts. */
static void zero_rate_beside_a_learned_one(void **state)
{
	nf_decode_result_t r;
	nf_decoder_t ctx = {.session = session, .now = NOW, .emit = save, .record = &scratch,
			    .renormalize = 1};
	size_t s;
	int rates = 0;
	(void)state;
	v9_options_template(state); /* samplingInterval 100 */
	memcpy(ctx.exporter.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", 16);
	ctx.source = ctx.exporter;
	pb_v9_header(&pkt, 2, 60000, NOW, 2, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 258);
	pb_u16(&pkt, 3);
	pb_field(&pkt, 0, 2, 4);  /* packetDeltaCount */
	pb_field(&pkt, 0, 1, 4);  /* octetDeltaCount */
	pb_field(&pkt, 0, 34, 4); /* samplingInterval */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 258);
	pb_u32(&pkt, 10);
	pb_u32(&pkt, 1500);
	pb_u32(&pkt, 0);
	pb_set_end(&pkt, s);
	assert_int_equal(nf_v9ipfix_decode(&ctx, pkt.b, pkt.len), NF_OK);
	r = ctx.result;
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	for (uint16_t i = 0; i < saved[1].rec.nfields; i++)
		rates += saved[1].rec.field[i].id == NF_IE_SAMPLING_INTERVAL;
	assert_int_equal(rates, 1);
	assert_int_equal(u(1, NF_IE_SAMPLING_INTERVAL), 0);
	assert_int_equal(u(1, 2), 1000); /* packets x 100 */
}

/* Interface and application names from options records are joined into
 * the flows that reference them. */
static void names_from_options(void **state)
{
	nf_decode_result_t r;
	size_t s;
	const nf_field_t *f;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	s = pb_set_begin(&pkt, 3);
	pb_u16(&pkt, 610);                /* interface table */
	pb_u16(&pkt, 2);
	pb_u16(&pkt, 1);
	pb_field(&pkt, 0, 10, 4);
	pb_field(&pkt, 0, 82, NF_VARLEN);
	pb_u16(&pkt, 611);                /* application table (NBAR) */
	pb_u16(&pkt, 2);
	pb_u16(&pkt, 1);
	pb_field(&pkt, 0, 95, 4);
	pb_field(&pkt, 0, 96, 24);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 610);
	pb_u32(&pkt, 3);
	pb_varlen(&pkt, "Gi0/0/3", 7);
	pb_u32(&pkt, 4);
	pb_varlen(&pkt, "Gi0/0/4", 7);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 611);
	pb_bytes(&pkt, "\x0d\x00\x00\x50", 4);
	pb_bytes(&pkt, "http\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 612);
	pb_u16(&pkt, 3);
	pb_field(&pkt, 0, 10, 2);         /* another width than in the table */
	pb_field(&pkt, 0, 14, 4);
	pb_field(&pkt, 0, 95, 4);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 612);
	pb_u16(&pkt, 3);
	pb_u32(&pkt, 4);
	pb_bytes(&pkt, "\x0d\x00\x00\x50", 4);
	pb_u16(&pkt, 9);                  /* unknown interface */
	pb_u32(&pkt, 3);
	pb_bytes(&pkt, "\x0d\x00\x00\x51", 4);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_OPTIONS], 3);
	assert_int_equal(r.kind[NF_KIND_FLOW], 2);
	f = field(3, NF_PEN_LOCAL, 0x201);
	assert_string_equal(f->ie->name, "ingress_interface_name");
	assert_memory_equal(f->v.p, "Gi0/0/3", 7);
	assert_memory_equal(field(3, NF_PEN_LOCAL, 0x202)->v.p, "Gi0/0/4", 7);
	f = field(3, 0, 96);
	assert_memory_equal(f->v.p, "http", 4);
	assert_null(nf_record_find(&saved[4].rec, NF_PEN_LOCAL, 0x201));
	assert_memory_equal(field(4, NF_PEN_LOCAL, 0x202)->v.p, "Gi0/0/3", 7);
	assert_null(nf_record_find(&saved[4].rec, 0, 96));
}

/* An element twice in one template: both values are kept, the second
 * marked as a repeat (emitted as name_2). */
static void repeated_element(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_v9_header(&pkt, 2, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 259);
	pb_u16(&pkt, 3);
	pb_field(&pkt, 0, 8, 4);
	pb_field(&pkt, 0, 8, 4);
	pb_field(&pkt, 0, 8, 4);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 259);
	pb_ipv4(&pkt, 10, 0, 0, 1);
	pb_ipv4(&pkt, 10, 0, 0, 2);
	pb_ipv4(&pkt, 10, 0, 0, 3);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(saved[0].rec.field[i].repeat, i);
		assert_int_equal(saved[0].rec.field[i].v.b[3], i + 1);
	}
}

/* H3C sends v9 fields of length 65535: variable length, as in IPFIX. */
static void v9_variable_length_field(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_v9_header(&pkt, 2, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 258);
	pb_u16(&pkt, 2);
	pb_field(&pkt, 0, 82, NF_VARLEN); /* interfaceName */
	pb_field(&pkt, 0, 7, 2);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 258);
	pb_varlen(&pkt, "Gig0/1", 6);
	pb_u16(&pkt, 22);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_int_equal(field(0, 0, 82)->type, NF_T_STRING);
	assert_int_equal(field(0, 0, 82)->len, 6);
	assert_memory_equal(field(0, 0, 82)->v.p, "Gig0/1", 6);
	assert_int_equal(u(0, 7), 22);
}

/* ---- IPFIX ---- */

static void ipfix_every_type(void **state)
{
	nf_decode_result_t r;
	size_t s;
	char long_text[300];
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	(void)state;
	memset(long_text, 'x', sizeof(long_text));
	pb_ipfix_header(&pkt, NOW, 0, 3);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 400);
	pb_u16(&pkt, 16);
	pb_field(&pkt, 0, 27, 16);       /* sourceIPv6Address */
	pb_field(&pkt, 0, 56, 6);        /* sourceMacAddress */
	pb_field(&pkt, 0, 1, 2);         /* octetDeltaCount, reduced to 2 bytes */
	pb_field(&pkt, 0, 150, 4);       /* flowStartSeconds */
	pb_field(&pkt, 0, 153, 8);       /* flowEndMilliseconds */
	pb_field(&pkt, 0, 154, 8);       /* flowStartMicroseconds (NTP) */
	pb_field(&pkt, 0, 156, 8);       /* flowStartNanoseconds (NTP) */
	pb_field(&pkt, 0, 82, NF_VARLEN);/* interfaceName, long form */
	pb_field(&pkt, 0, 83, NF_VARLEN);/* interfaceDescription, empty */
	pb_field(&pkt, 99999, 7, 3);     /* unknown enterprise element */
	pb_field(&pkt, 0, 8, 2);         /* sourceIPv4Address with a wrong length */
	pb_field(&pkt, 0, 276, 1);       /* dataRecordsReliability (boolean) */
	pb_field(&pkt, 0, 320, 8);       /* absoluteError (float64) */
	pb_field(&pkt, 0, 434, 2);       /* mibObjectValueInteger (signed32), reduced */
	pb_field(&pkt, 29305, 1, 4);     /* reverseOctetDeltaCount */
	pb_field(&pkt, 0, 210, 0);       /* paddingOctets of length 0 */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 400);
	pb_bytes(&pkt, v6, 16);
	pb_bytes(&pkt, "\x00\x1b\x21\xab\xcd\xef", 6);
	pb_u16(&pkt, 65000);
	pb_u32(&pkt, NOW - 10);
	pb_u32(&pkt, 0x1a2);            /* NOW*1000 as 64 bits, high word */
	pb_u32(&pkt, 0x20fce2c0);
	pb_u32(&pkt, (uint32_t)(NOW + 2208988800u)); /* NTP seconds */
	pb_u32(&pkt, 0x80000000u);                    /* .5 s */
	pb_u32(&pkt, (uint32_t)(NOW + 2208988800u));
	pb_u32(&pkt, 0x40000000u);                    /* .25 s */
	pb_varlen(&pkt, long_text, sizeof(long_text));
	pb_varlen(&pkt, "", 0);
	pb_bytes(&pkt, "\xde\xad\x01", 3);
	pb_u16(&pkt, 0x0a01);
	pb_u8(&pkt, 1);
	pb_bytes(&pkt, "\x40\x09\x21\xfb\x54\x44\x2d\x18", 8); /* pi */
	pb_u16(&pkt, 0xfffe);                                 /* -2 */
	pb_u32(&pkt, 12345);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_memory_equal(field(0, 0, 27)->v.b, v6, 16);
	assert_int_equal(field(0, 0, 27)->type, NF_T_IPV6);
	assert_memory_equal(field(0, 0, 56)->v.b, "\x00\x1b\x21\xab\xcd\xef", 6);
	assert_int_equal(u(0, 1), 65000);
	assert_int_equal(field(0, 0, 150)->type, NF_T_DT_SEC);
	assert_int_equal(u(0, 150), NOW - 10);
	assert_int_equal(u(0, 153), 0x1a220fce2c0ull);
	assert_int_equal(field(0, 0, 154)->type, NF_T_DT_MICRO);
	assert_int_equal(u(0, 154), (uint64_t)NOW * 1000000 + 500000);
	assert_int_equal(u(0, 156), (uint64_t)NOW * 1000000000 + 250000000);
	assert_int_equal(field(0, 0, 82)->len, 300);
	assert_int_equal(field(0, 0, 83)->len, 0);
	assert_null(field(0, 99999, 7)->ie);
	assert_int_equal(field(0, 99999, 7)->type, NF_T_OCTETS);
	assert_memory_equal(field(0, 99999, 7)->v.p, "\xde\xad\x01", 3);
	assert_int_equal(field(0, 0, 8)->type, NF_T_OCTETS);
	assert_int_equal(field(0, 0, 8)->len, 2);
	assert_int_equal(field(0, 0, 276)->type, NF_T_BOOL);
	assert_int_equal(u(0, 276), 1);
	assert_true(field(0, 0, 320)->v.f > 3.14159 && field(0, 0, 320)->v.f < 3.1416);
	assert_int_equal(field(0, 0, 434)->v.i, -2);
	assert_int_equal(field(0, NF_PEN_REVERSE, 1)->v.u, 12345);
	assert_int_equal(field(0, 0, 210)->len, 0);
	/* start: the most precise absolute stamp wins after milliseconds */
	assert_int_equal(saved[0].rec.start_ms, (int64_t)NOW * 1000 + 500);
	assert_int_equal(saved[0].rec.end_ms, (int64_t)0x1a220fce2c0ll);
}

static void ipfix_template_record(pkt_t *p, uint16_t set_id, uint16_t id, uint16_t port_len)
{
	size_t s = pb_set_begin(p, set_id);
	pb_u16(p, id);
	pb_u16(p, 2);
	pb_field(p, 0, 7, port_len);
	pb_field(p, 0, 4, 1);
	pb_set_end(p, s);
}

static void ipfix_data_record(pkt_t *p, uint16_t id, int nrecords, uint16_t port_len)
{
	size_t s = pb_set_begin(p, id);
	for (int i = 0; i < nrecords; i++) {
		if (port_len == 2)
			pb_u16(p, 53);
		else
			pb_u32(p, 53);
		pb_u8(p, 17);
	}
	pb_set_end(p, s);
}

/* A template withdrawal (RFC 7011 section 8.1): a record with no field. */
static void ipfix_withdrawal(pkt_t *p, uint16_t id)
{
	size_t s = pb_set_begin(p, 2);
	pb_u16(p, id);
	pb_u16(p, 0);
	pb_set_end(p, s);
}

static void ipfix_redefinition_and_withdrawal(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	ipfix_template_record(&pkt, 2, 500, 2);
	ipfix_data_record(&pkt, 500, 2, 2);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 2);
	/* redefined with another layout: later data uses the new one */
	pb_ipfix_header(&pkt, NOW, 2, 1);
	ipfix_template_record(&pkt, 2, 500, 4);
	ipfix_data_record(&pkt, 500, 1, 4);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_int_equal(u(2, 7), 53);
	/* withdrawn: a template record with no field */
	pb_ipfix_header(&pkt, NOW, 3, 1);
	ipfix_withdrawal(&pkt, 500);
	ipfix_data_record(&pkt, 500, 1, 4);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	assert_int_equal(r.sets_pending, 1);
	assert_int_equal(nf_session_stats(session)->templates_withdrawn, 1);
}

static void ipfix_withdraw_all(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	ipfix_template_record(&pkt, 2, 500, 2);
	ipfix_template_record(&pkt, 2, 501, 2);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.templates, 2);
	pb_ipfix_header(&pkt, NOW, 0, 1);
	ipfix_withdrawal(&pkt, 2); /* id 2: all data templates */
	ipfix_data_record(&pkt, 501, 1, 2);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 0);
	assert_int_equal(nf_session_stats(session)->templates_withdrawn, 2);
}

static void ipfix_options_template(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	s = pb_set_begin(&pkt, 3);
	pb_u16(&pkt, 600);
	pb_u16(&pkt, 2);  /* fields */
	pb_u16(&pkt, 1);  /* of which scope */
	pb_field(&pkt, 0, 149, 4); /* observationDomainId */
	pb_field(&pkt, 0, 160, 8); /* systemInitTimeMilliseconds */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 600);
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 1000);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_OPTIONS], 1);
	assert_true(saved[0].is_options);
	assert_int_equal(u(0, 149), 1);
	assert_int_equal(u(0, 160), 1000);
}

/* IPFIX sysUpTime-relative times count from the boot time an options
 * record announced (systemInitTimeMilliseconds). */
static void ipfix_uptime_times_join_init_time(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	ipfix_options_template(state); /* boot time 1000 ms after the epoch... */
	pb_ipfix_header(&pkt, NOW, 1, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 601);
	pb_u16(&pkt, 2);
	pb_field(&pkt, 0, 22, 4);
	pb_field(&pkt, 0, 21, 4);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 601);
	pb_u32(&pkt, 5000);
	pb_u32(&pkt, 7000);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_int_equal(saved[1].rec.start_ms, 6000);
	assert_int_equal(saved[1].rec.end_ms, 8000);
}

/* Without the boot time, IPFIX uptime stamps give no absolute time: the
 * stamps stay and nothing stands in for them (README "Times"); an options
 * record gets no flow times either. */
static void ipfix_uptime_without_init_time(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 601);
	pb_u16(&pkt, 3);
	pb_field(&pkt, 0, 22, 4);
	pb_field(&pkt, 0, 21, 4);
	pb_field(&pkt, 0, 161, 4); /* flowDurationMilliseconds: no end to count from */
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 601);
	pb_u32(&pkt, 5000);
	pb_u32(&pkt, 7000);
	pb_u32(&pkt, 2000);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_int_equal(r.times_implausible, 0);
	assert_true(saved[0].rec.start_ms == NF_TIME_NONE && saved[0].rec.end_ms == NF_TIME_NONE);
	assert_int_equal(saved[0].rec.nfields, 3);
	assert_int_equal(u(0, 22), 5000);
	assert_null(nf_record_find(&saved[0].rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS));
	assert_null(nf_record_find(&saved[0].rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS));
	nsaved = 0;
	ipfix_options_template(state);
	assert_true(saved[0].rec.start_ms == NF_TIME_NONE && saved[0].rec.end_ms == NF_TIME_NONE);
	assert_int_equal(saved[0].rec.nfields, 2);
}

/* v9 uptime stamps beyond the header's uptime (Fortigate's, 7 days; an end
 * 15 s after the export) are not made times; the decode result counts
 * them. */
static void v9_future_times_counted(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_v9_header(&pkt, 2, 60000, NOW, 1, 0);
	v9_template(&pkt, 256);
	v9_data(&pkt, 256, 2, 0);
	/* records of 33 bytes, their stamps last */
	pb_put16(&pkt, pkt.len - 4, 1);
	pb_put16(&pkt, pkt.len - 2, 75000 - 65536); /* the second record's end: 75000 */
	pb_put16(&pkt, pkt.len - 33 - 8, (uint16_t)((60000 + 7 * 86400000) >> 16)); /* the first one's start */
	pb_put16(&pkt, pkt.len - 33 - 6, (uint16_t)(60000 + 7 * 86400000));
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 2);
	assert_int_equal(r.times_implausible, 2);
	assert_true(saved[0].rec.start_ms == NF_TIME_NONE); /* its end, plausible, stays */
	assert_int_equal(saved[0].rec.end_ms, (int64_t)NOW * 1000 - 1000);
	assert_int_equal(u(0, 22), 60000 + 7 * 86400000);
	assert_null(nf_record_find(&saved[0].rec, NF_PEN_IANA, NF_IE_FLOW_START_MILLISECONDS));
	assert_int_equal(saved[1].rec.start_ms, (int64_t)NOW * 1000 - 10000);
	assert_true(saved[1].rec.end_ms == NF_TIME_NONE);
	assert_null(nf_record_find(&saved[1].rec, NF_PEN_IANA, NF_IE_FLOW_END_MILLISECONDS));
}

/* Sets that would make a naive walker loop or read past the end. */
static void malformed_sets(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	/* a set of length 0 followed by non-zero bytes */
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 0);
	v9_template(&pkt, 256);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 0);
	pb_u32(&pkt, 0xdeadbeef);
	assert_int_equal(decode(&r), NF_ERR_SET);
	assert_int_equal(r.templates, 1);
	/* a set longer than the datagram */
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 256);
	pb_u32(&pkt, 1);
	pb_set_end(&pkt, s);
	pb_put16(&pkt, s + 2, 200);
	assert_int_equal(decode(&r), NF_ERR_SET);
	/* zeros after the last set are padding, not an error */
	pb_v9_header(&pkt, 1, 60000, NOW, 1, 0);
	v9_data(&pkt, 256, 1, 0);
	pb_zero(&pkt, 100);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	/* IPFIX length beyond the datagram, and below the header */
	pb_ipfix_header(&pkt, NOW, 0, 1);
	pb_zero(&pkt, 8);
	pb_put16(&pkt, 2, 100);
	assert_int_equal(decode(&r), NF_ERR_TRUNCATED);
	pb_put16(&pkt, 2, 8);
	assert_int_equal(decode(&r), NF_ERR_SHORT);
	/* shorter than any header */
	for (size_t len = 0; len < 20; len++) {
		pb_v9_header(&pkt, 0, 0, 0, 0, 0);
		pkt.len = len;
		assert_true(decode(&r) < 0);
	}
}

static void malformed_templates(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	/* no field (v9 has no withdrawal), an id below 256, all fields of length 0 */
	pb_v9_header(&pkt, 3, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 0);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.templates, 0);
	pb_v9_header(&pkt, 3, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 255);
	pb_u16(&pkt, 1);
	pb_field(&pkt, 0, 8, 4);
	pb_u16(&pkt, 257);
	pb_u16(&pkt, 2);
	pb_field(&pkt, 0, 8, 0);
	pb_field(&pkt, 0, 12, 0);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.templates, 0);
	assert_int_equal(r.template_errors, 2);
	/* more fields than the set holds */
	pb_v9_header(&pkt, 3, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 258);
	pb_u16(&pkt, 50);
	pb_field(&pkt, 0, 8, 4);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.template_errors, 1);
	/* more fields than a template may have */
	pb_v9_header(&pkt, 3, 60000, NOW, 1, 0);
	s = pb_set_begin(&pkt, 0);
	pb_u16(&pkt, 259);
	pb_u16(&pkt, NF_TEMPLATE_MAX_FIELDS + 1);
	for (int i = 0; i <= NF_TEMPLATE_MAX_FIELDS; i++)
		pb_field(&pkt, 0, 8, 4);
	pb_set_end(&pkt, s);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.template_errors, 1);
	assert_int_equal(r.templates, 0);
}

/* One v9 datagram with one data record of template 256; its result. */
static nf_decode_result_t v9_data_datagram(uint32_t seq)
{
	nf_decode_result_t r;
	pb_v9_header(&pkt, 1, 60000, NOW, seq, 0);
	v9_data(&pkt, 256, 1, 0);
	assert_int_equal(decode(&r), NF_OK);
	return r;
}

/* One IPFIX datagram with n data records of template 500; its result. */
static nf_decode_result_t ipfix_data_datagram(uint32_t seq, int n)
{
	nf_decode_result_t r;
	pb_ipfix_header(&pkt, NOW, seq, 9);
	ipfix_data_record(&pkt, 500, n, 2);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	return r;
}

/* v9 counts export packets, IPFIX counts data records. */
static void sequence_numbers(void **state)
{
	nf_decode_result_t r;
	(void)state;
	pb_v9_header(&pkt, 1, 60000, NOW, 10, 0);
	v9_template(&pkt, 256);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.sequence_missing, 0);
	assert_int_equal(v9_data_datagram(11).sequence_missing, 0);
	assert_int_equal(v9_data_datagram(14).sequence_missing, 2);
	pb_ipfix_header(&pkt, NOW, 100, 9);
	ipfix_template_record(&pkt, 2, 500, 2);
	ipfix_data_record(&pkt, 500, 3, 2);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(ipfix_data_datagram(103, 2).sequence_missing, 0);
	assert_int_equal(ipfix_data_datagram(110, 1).sequence_missing, 5);
	assert_true(ipfix_data_datagram(3, 1).sequence_reset);
}

/* A varlen field claiming more bytes than its set has: the record is
 * dropped as padding, nothing is read past the set. */
static void truncated_variable_length(void **state)
{
	nf_decode_result_t r;
	size_t s;
	(void)state;
	pb_ipfix_header(&pkt, NOW, 0, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 700);
	pb_u16(&pkt, 1);
	pb_field(&pkt, 0, 82, NF_VARLEN);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 700);
	pb_varlen(&pkt, "eth0", 4);
	pb_u8(&pkt, 255);
	pb_u16(&pkt, 1000);
	pb_bytes(&pkt, "short", 5);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	assert_int_equal(decode(&r), NF_OK);
	assert_int_equal(r.kind[NF_KIND_FLOW], 1);
	assert_memory_equal(field(0, 0, 82)->v.p, "eth0", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v9_template_and_data, setup, teardown),
		cmocka_unit_test_setup_teardown(v9_data_before_template, setup, teardown),
		cmocka_unit_test_setup_teardown(v9_scopes_are_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(v9_options_template, setup, teardown),
		cmocka_unit_test_setup_teardown(v9_variable_length_field, setup, teardown),
		cmocka_unit_test_setup_teardown(sampling_from_options, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_rate_beside_a_learned_one, setup, teardown),
		cmocka_unit_test_setup_teardown(names_from_options, setup, teardown),
		cmocka_unit_test_setup_teardown(repeated_element, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_every_type, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_redefinition_and_withdrawal, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_withdraw_all, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_options_template, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_uptime_times_join_init_time, setup, teardown),
		cmocka_unit_test_setup_teardown(ipfix_uptime_without_init_time, setup, teardown),
		cmocka_unit_test_setup_teardown(v9_future_times_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_sets, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_templates, setup, teardown),
		cmocka_unit_test_setup_teardown(sequence_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_variable_length, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
