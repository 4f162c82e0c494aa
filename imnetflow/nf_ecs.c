/* nf_ecs.c - the ECS view of a flow record, and its walk as ECS objects.
 *
 * The elements ECS is made of are many, most of them not in the record's
 * index (nf_record_find would scan the record for each): one pass over
 * the fields notes the first of each, and the rules pick among them.
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#include "nf_ecs.h"

#include <string.h>

#include "nf_render.h"

/* NetFlow v9 field types of Cisco ASA NSEL (pen 0, above the IANA range),
 * contrib/dictionaries/netflow-v9-cisco.tsv */
#define NSEL_FW_EXT_EVENT 33002
#define NSEL_XLATE_SRC_ADDR_IPV4 40001
#define NSEL_XLATE_DST_ADDR_IPV4 40002
#define NSEL_XLATE_SRC_PORT 40003
#define NSEL_XLATE_DST_PORT 40004
#define NSEL_FW_EVENT 40005

/* biflowDirection (IANA 239): the destination initiated the flow */
#define BIFLOW_REVERSE_INITIATOR 2
/* flowDirection (IANA 61) */
#define FLOW_DIRECTION_INGRESS 0
#define FLOW_DIRECTION_EGRESS 1

/* NSEL extended events: 1001-1004 say why a flow was denied, 2000 and
 * above why it was torn down */
#define NSEL_EXT_DENIED_FIRST 1001
#define NSEL_EXT_DENIED_LAST 1999
#define NSEL_EXT_DELETED_FIRST 2000
#define NSEL_EXT_DELETED_LAST 2999

#define ICMP_TYPE_CODE(type, code) ((uint16_t)((type) << 8 | (code)))

/* The elements the ECS view is made of, in the slots the pass fills. */
typedef enum ecs_slot {
	S_SRC4, S_SRC6, S_DST4, S_DST6, S_SPORT, S_DPORT, S_SMAC, S_DMAC, S_PROTO,
	/* counters, each group in order of preference: delta, total, NSEL */
	S_OCTETS_DELTA, S_OCTETS_TOTAL, S_OCTETS_INITIATOR,
	S_PACKETS_DELTA, S_PACKETS_TOTAL, S_PACKETS_INITIATOR,
	S_REV_OCTETS_DELTA, S_REV_OCTETS_TOTAL, S_OCTETS_RESPONDER,
	S_REV_PACKETS_DELTA, S_REV_PACKETS_TOTAL, S_PACKETS_RESPONDER,
	/* NAT: IANA IPv4, IANA IPv6, NSEL */
	S_NAT_SRC4, S_NAT_SRC6, S_NSEL_NAT_SRC, S_NAT_DST4, S_NAT_DST6, S_NSEL_NAT_DST,
	S_NAT_SPORT, S_NSEL_NAT_SPORT, S_NAT_DPORT, S_NSEL_NAT_DPORT,
	S_FLOW_DIRECTION, S_BIFLOW_DIRECTION, S_FIREWALL_EVENT, S_NSEL_EVENT, S_NSEL_EXT_EVENT,
	S_ICMP4_TYPE_CODE, S_ICMP4_TYPE, S_ICMP4_CODE, S_ICMP6_TYPE_CODE, S_ICMP6_TYPE, S_ICMP6_CODE,
	S_IN_IF, S_OUT_IF, S_IN_IF_NAME, S_OUT_IF_NAME, S_DURATION_MS, S_DURATION_US,
	S__COUNT
} ecs_slot_t;

/* The slot (plus one; 0: none) of each IANA element below IANA_SLOTS
 * that has one: a table, where a switch cost a chain of compares a field. */
#define IANA_SLOTS 512
static const uint8_t iana_slots[IANA_SLOTS] = {
	[NF_IE_SOURCE_IPV4_ADDRESS] = S_SRC4 + 1,
	[NF_IE_SOURCE_IPV6_ADDRESS] = S_SRC6 + 1,
	[NF_IE_DESTINATION_IPV4_ADDRESS] = S_DST4 + 1,
	[NF_IE_DESTINATION_IPV6_ADDRESS] = S_DST6 + 1,
	[NF_IE_SOURCE_TRANSPORT_PORT] = S_SPORT + 1,
	[NF_IE_DESTINATION_TRANSPORT_PORT] = S_DPORT + 1,
	[NF_IE_SOURCE_MAC_ADDRESS] = S_SMAC + 1,
	[NF_IE_DESTINATION_MAC_ADDRESS] = S_DMAC + 1,
	[NF_IE_PROTOCOL_IDENTIFIER] = S_PROTO + 1,
	[NF_IE_OCTET_DELTA_COUNT] = S_OCTETS_DELTA + 1,
	[NF_IE_OCTET_TOTAL_COUNT] = S_OCTETS_TOTAL + 1,
	[NF_IE_INITIATOR_OCTETS] = S_OCTETS_INITIATOR + 1,
	[NF_IE_PACKET_DELTA_COUNT] = S_PACKETS_DELTA + 1,
	[NF_IE_PACKET_TOTAL_COUNT] = S_PACKETS_TOTAL + 1,
	[NF_IE_INITIATOR_PACKETS] = S_PACKETS_INITIATOR + 1,
	[NF_IE_RESPONDER_OCTETS] = S_OCTETS_RESPONDER + 1,
	[NF_IE_RESPONDER_PACKETS] = S_PACKETS_RESPONDER + 1,
	[NF_IE_POST_NAT_SOURCE_IPV4_ADDRESS] = S_NAT_SRC4 + 1,
	[NF_IE_POST_NAT_SOURCE_IPV6_ADDRESS] = S_NAT_SRC6 + 1,
	[NF_IE_POST_NAT_DESTINATION_IPV4_ADDRESS] = S_NAT_DST4 + 1,
	[NF_IE_POST_NAT_DESTINATION_IPV6_ADDRESS] = S_NAT_DST6 + 1,
	[NF_IE_POST_NAPT_SOURCE_TRANSPORT_PORT] = S_NAT_SPORT + 1,
	[NF_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT] = S_NAT_DPORT + 1,
	[NF_IE_FLOW_DIRECTION] = S_FLOW_DIRECTION + 1,
	[NF_IE_BIFLOW_DIRECTION] = S_BIFLOW_DIRECTION + 1,
	[NF_IE_FIREWALL_EVENT] = S_FIREWALL_EVENT + 1,
	[NF_IE_ICMP_TYPE_CODE_IPV4] = S_ICMP4_TYPE_CODE + 1,
	[NF_IE_ICMP_TYPE_IPV4] = S_ICMP4_TYPE + 1,
	[NF_IE_ICMP_CODE_IPV4] = S_ICMP4_CODE + 1,
	[NF_IE_ICMP_TYPE_CODE_IPV6] = S_ICMP6_TYPE_CODE + 1,
	[NF_IE_ICMP_TYPE_IPV6] = S_ICMP6_TYPE + 1,
	[NF_IE_ICMP_CODE_IPV6] = S_ICMP6_CODE + 1,
	[NF_IE_INGRESS_INTERFACE] = S_IN_IF + 1,
	[NF_IE_EGRESS_INTERFACE] = S_OUT_IF + 1,
	[NF_IE_FLOW_DURATION_MILLISECONDS] = S_DURATION_MS + 1,
	[NF_IE_FLOW_DURATION_MICROSECONDS] = S_DURATION_US + 1,
};

static ecs_slot_t iana_slot(uint16_t id)
{
	if (id < IANA_SLOTS)
		return iana_slots[id] != 0 ? (ecs_slot_t)(iana_slots[id] - 1) : S__COUNT;
	switch (id) { /* NSEL's, above the IANA range */
	case NSEL_XLATE_SRC_ADDR_IPV4: return S_NSEL_NAT_SRC;
	case NSEL_XLATE_DST_ADDR_IPV4: return S_NSEL_NAT_DST;
	case NSEL_XLATE_SRC_PORT: return S_NSEL_NAT_SPORT;
	case NSEL_XLATE_DST_PORT: return S_NSEL_NAT_DPORT;
	case NSEL_FW_EVENT: return S_NSEL_EVENT;
	case NSEL_FW_EXT_EVENT: return S_NSEL_EXT_EVENT;
	default: return S__COUNT;
	}
}

/* RFC 5103 reverse elements: the same ids under the reverse PEN. */
static ecs_slot_t reverse_slot(uint16_t id)
{
	switch (id) {
	case NF_IE_OCTET_DELTA_COUNT: return S_REV_OCTETS_DELTA;
	case NF_IE_OCTET_TOTAL_COUNT: return S_REV_OCTETS_TOTAL;
	case NF_IE_PACKET_DELTA_COUNT: return S_REV_PACKETS_DELTA;
	case NF_IE_PACKET_TOTAL_COUNT: return S_REV_PACKETS_TOTAL;
	default: return S__COUNT;
	}
}

static ecs_slot_t field_slot(const nf_field_t *f)
{
	switch (f->pen) {
	case NF_PEN_IANA: return iana_slot(f->id);
	case NF_PEN_REVERSE: return reverse_slot(f->id);
	case NF_PEN_LOCAL:
		return f->id == NF_LOCAL_ID_INGRESS_INTERFACE_NAME ? S_IN_IF_NAME
		       : f->id == NF_LOCAL_ID_EGRESS_INTERFACE_NAME ? S_OUT_IF_NAME
								    : S__COUNT;
	default: return S__COUNT;
	}
}

/* The first field of each slot's element (repeats are not looked at). */
static void scan(const nf_record_t *rec, const nf_field_t *slot[S__COUNT])
{
	memset(slot, 0, S__COUNT * sizeof(slot[0]));
	for (uint16_t i = 0; i < rec->nfields; i++) {
		const nf_field_t *f = &rec->field[i];
		ecs_slot_t s;

		if (f->repeat == 0 && (s = field_slot(f)) != S__COUNT && slot[s] == NULL)
			slot[s] = f;
	}
}

static bool is_uint(const nf_field_t *f)
{
	return f != NULL && f->type >= NF_T_U8 && f->type <= NF_T_U64;
}

/* The first of n slots from first on that holds an unsigned value. */
static bool first_uint(const nf_field_t *const *slot, ecs_slot_t first, unsigned n, uint64_t *v)
{
	for (unsigned i = 0; i < n; i++) {
		if (is_uint(slot[first + i])) {
			*v = slot[first + i]->v.u;
			return true;
		}
	}
	return false;
}

/* The first of n slots from first on whose field has type. */
static const nf_field_t *first_typed(const nf_field_t *const *slot, ecs_slot_t first, unsigned n, uint8_t type)
{
	for (unsigned i = 0; i < n; i++)
		if (slot[first + i] != NULL && slot[first + i]->type == type)
			return slot[first + i];
	return NULL;
}

/* An address: IPv4 first, then IPv6 (slots first and first + 1). */
static const nf_field_t *address(const nf_field_t *const *slot, ecs_slot_t v4, ecs_slot_t v6)
{
	const nf_field_t *f = first_typed(slot, v4, 1, NF_T_IPV4);

	return f != NULL ? f : first_typed(slot, v6, 1, NF_T_IPV6);
}

static const nf_field_t *uint_or_null(const nf_field_t *f)
{
	return is_uint(f) ? f : NULL;
}

/* The IANA element first, the NSEL one when it is missing. */
static const nf_field_t *either_uint(const nf_field_t *const *slot, ecs_slot_t iana, ecs_slot_t nsel)
{
	return is_uint(slot[iana]) ? slot[iana] : uint_or_null(slot[nsel]);
}

static bool unspecified(const nf_field_t *addr)
{
	static const uint8_t zero[16];

	return memcmp(addr->v.b, zero, addr->type == NF_T_IPV4 ? 4 : 16) == 0;
}

/* An endpoint's translation: the IANA address (IPv4 slot v4, IPv6 the
 * next) or NSEL's, and port. Exporters that translate one side only
 * (FortiOS) send 0.0.0.0 and port 0 for the other: no translation. */
static void nat(const nf_field_t *const *slot, ecs_slot_t v4, ecs_slot_t nsel_addr, ecs_slot_t port,
		ecs_slot_t nsel_port, nf_ecs_endpoint_t *p)
{
	if ((p->nat_ip = address(slot, v4, v4 + 1)) == NULL)
		p->nat_ip = first_typed(slot, nsel_addr, 1, NF_T_IPV4);
	p->nat_port = either_uint(slot, port, nsel_port);
	if (p->nat_ip != NULL && unspecified(p->nat_ip)) {
		p->nat_ip = NULL;
		if (p->nat_port != NULL && p->nat_port->v.u == 0)
			p->nat_port = NULL;
	}
}

static void counts(const nf_field_t *const *slot, ecs_slot_t octets, ecs_slot_t packets, nf_ecs_counts_t *c)
{
	c->has_bytes = first_uint(slot, octets, 3, &c->bytes);
	c->has_packets = first_uint(slot, packets, 3, &c->packets);
}

static void endpoints(const nf_field_t *const *slot, nf_ecs_t *e)
{
	nf_ecs_endpoint_t *s = &e->source, *d = &e->destination;

	s->ip = address(slot, S_SRC4, S_SRC6);
	d->ip = address(slot, S_DST4, S_DST6);
	e->type = s->ip != NULL ? (s->ip->type == NF_T_IPV4 ? "ipv4" : "ipv6")
		  : d->ip != NULL ? (d->ip->type == NF_T_IPV4 ? "ipv4" : "ipv6")
				  : NULL;
	s->port = uint_or_null(slot[S_SPORT]);
	d->port = uint_or_null(slot[S_DPORT]);
	s->mac = first_typed(slot, S_SMAC, 1, NF_T_MAC);
	d->mac = first_typed(slot, S_DMAC, 1, NF_T_MAC);
	nat(slot, S_NAT_SRC4, S_NSEL_NAT_SRC, S_NAT_SPORT, S_NSEL_NAT_SPORT, s);
	nat(slot, S_NAT_DST4, S_NSEL_NAT_DST, S_NAT_DPORT, S_NSEL_NAT_DPORT, d);
	counts(slot, S_OCTETS_DELTA, S_PACKETS_DELTA, &s->counts);
	counts(slot, S_REV_OCTETS_DELTA, S_REV_PACKETS_DELTA, &d->counts);
	e->network.has_bytes = s->counts.has_bytes || d->counts.has_bytes;
	e->network.bytes = s->counts.bytes + d->counts.bytes;
	e->network.has_packets = s->counts.has_packets || d->counts.has_packets;
	e->network.packets = s->counts.packets + d->counts.packets;
}

/* network.transport of the common IP protocols (ECS: the IANA keyword). */
static const char *transport_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 41: return "ipv6";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 89: return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 132: return "sctp";
	default: return NULL;
	}
}

/* ICMP type and code as type << 8 | code: the combined element, the two
 * separate ones, or (NetFlow v5's convention, kept by many v9 exporters)
 * the destination port. */
static bool icmp_type_code(const nf_field_t *const *slot, ecs_slot_t combined, const nf_field_t *dport,
			   uint16_t *tc)
{
	ecs_slot_t type = combined + 1, code = combined + 2;

	if (is_uint(slot[combined]))
		*tc = (uint16_t)slot[combined]->v.u;
	else if (is_uint(slot[type]))
		*tc = ICMP_TYPE_CODE(slot[type]->v.u & 0xff, is_uint(slot[code]) ? slot[code]->v.u & 0xff : 0);
	else if (dport != NULL)
		*tc = (uint16_t)dport->v.u;
	else
		return false;
	return true;
}

static void community_id(const nf_field_t *const *slot, const nf_ecs_options_t *o, nf_ecs_t *e)
{
	const nf_field_t *s = e->source.ip, *d = e->destination.ip;
	nf_flow_tuple_t t = {.proto = e->proto};
	uint16_t tc;

	e->community_id[0] = '\0';
	if (!o->community_id || !e->has_proto || s == NULL || d == NULL || s->type != d->type)
		return;
	t.saddr = s->v.b;
	t.daddr = d->v.b;
	t.addr_len = s->type == NF_T_IPV4 ? 4 : 16;
	if (e->proto == NF_IPPROTO_ICMP || e->proto == NF_IPPROTO_ICMPV6) {
		ecs_slot_t combined = e->proto == NF_IPPROTO_ICMP ? S_ICMP4_TYPE_CODE : S_ICMP6_TYPE_CODE;

		if ((t.has_ports = icmp_type_code(slot, combined, e->destination.port, &tc))) {
			t.sport = tc >> 8;
			t.dport = tc & 0xff;
		}
	} else if (e->source.port != NULL || e->destination.port != NULL) {
		t.has_ports = true; /* a port the record lacks hashes as 0 */
		t.sport = e->source.port != NULL ? (uint16_t)e->source.port->v.u : 0;
		t.dport = e->destination.port != NULL ? (uint16_t)e->destination.port->v.u : 0;
	}
	nf_community_id(&t, o->community_id_seed, o->sha1, e->community_id);
}

/* event.action: what a firewall says happened to the flow (IPFIX
 * firewallEvent, NSEL's event, or its extended event alone), else that
 * it is a flow record. */
/* The firewall action the record states, or NULL. */
static const char *firewall_action(const nf_field_t *const *slot)
{
	static const char *const names[] = {NULL, "created", "deleted", "denied", "alert", "updated"};
	const nf_field_t *ev = either_uint(slot, S_FIREWALL_EVENT, S_NSEL_EVENT);
	uint64_t ext;

	if (ev != NULL && ev->v.u > 0 && ev->v.u < sizeof(names) / sizeof(names[0]))
		return names[ev->v.u];
	if (is_uint(slot[S_NSEL_EXT_EVENT])) {
		ext = slot[S_NSEL_EXT_EVENT]->v.u;
		if (ext >= NSEL_EXT_DENIED_FIRST && ext <= NSEL_EXT_DENIED_LAST)
			return "denied";
		if (ext >= NSEL_EXT_DELETED_FIRST && ext <= NSEL_EXT_DELETED_LAST)
			return "deleted";
	}
	return NULL;
}

static const char *action(const nf_field_t *const *slot)
{
	const char *a = firewall_action(slot);

	return a != NULL ? a : "netflow_flow";
}

/* network.direction from flowDirection. When internal networks are
 * configured (to come), the endpoints' locality decides instead. */
static const char *direction(const nf_field_t *const *slot)
{
	if (is_uint(slot[S_FLOW_DIRECTION])) {
		if (slot[S_FLOW_DIRECTION]->v.u == FLOW_DIRECTION_INGRESS)
			return "inbound";
		if (slot[S_FLOW_DIRECTION]->v.u == FLOW_DIRECTION_EGRESS)
			return "outbound";
	}
	return "unknown";
}

/* The 16 bytes an address sorts by: IPv4 mapped into IPv6. */
static void sort_key(const nf_field_t *f, uint8_t key[16])
{
	if (f->type == NF_T_IPV6) {
		memcpy(key, f->v.b, 16);
		return;
	}
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, f->v.b, 4);
}

/* Adds address f (may be NULL) to related, kept sorted, each once. */
static void add_related(nf_ecs_t *e, const nf_field_t *f)
{
	uint8_t key[16], other[16];
	unsigned at = 0;
	int cmp = 1;

	if (f == NULL || e->nrelated >= NF_ECS_RELATED_MAX)
		return;
	sort_key(f, key);
	for (; at < e->nrelated; at++) {
		sort_key(e->related[at], other);
		if ((cmp = memcmp(key, other, sizeof(key))) <= 0)
			break;
	}
	if (cmp == 0)
		return;
	memmove(&e->related[at + 1], &e->related[at], (e->nrelated - at) * sizeof(e->related[0]));
	e->related[at] = f;
	e->nrelated++;
}

#define NS_PER_MS 1000000u
#define NS_PER_US 1000u

/* event.duration in ns: from the flow's start and end, or where they are
 * not known (an IPFIX record with uptime stamps and no boot time) from
 * flowDurationMilliseconds / -Microseconds, as Filebeat does; -1 when
 * neither says. */
static int64_t duration_ns(const nf_field_t *const *slot, const nf_record_t *rec)
{
	if (rec->start_ms >= 0 && rec->end_ms >= rec->start_ms &&
	    (uint64_t)(rec->end_ms - rec->start_ms) <= INT64_MAX / NS_PER_MS)
		return (rec->end_ms - rec->start_ms) * (int64_t)NS_PER_MS;
	if (is_uint(slot[S_DURATION_MS]) && slot[S_DURATION_MS]->v.u <= INT64_MAX / NS_PER_MS)
		return (int64_t)(slot[S_DURATION_MS]->v.u * NS_PER_MS);
	if (is_uint(slot[S_DURATION_US]) && slot[S_DURATION_US]->v.u <= INT64_MAX / NS_PER_US)
		return (int64_t)(slot[S_DURATION_US]->v.u * NS_PER_US);
	return -1;
}

void nf_ecs_options_default(nf_ecs_options_t *o)
{
	memset(o, 0, sizeof(*o));
	o->community_id = true;
	o->sha1 = nf_sha1_best();
}

void nf_ecs_extract_with(const nf_record_t *rec, const nf_ecs_options_t *opts, nf_ecs_t *e)
{
	static const nf_ecs_options_t portable = {.community_id = true, .sha1 = NF_SHA1_PORTABLE};
	const nf_field_t *slot[S__COUNT];

	if (opts == NULL)
		opts = &portable;
	scan(rec, slot);
	memset(e, 0, sizeof(*e));
	endpoints(slot, e);
	if ((e->has_proto = is_uint(slot[S_PROTO]))) {
		e->proto = (uint8_t)slot[S_PROTO]->v.u;
		e->transport = transport_name(e->proto);
	}
	community_id(slot, opts, e);
	e->direction = direction(slot);
	e->action = action(slot);
	/* a biflow: the exporter says who initiated, or counts both ways */
	e->biflow = (e->source.ip != NULL || e->destination.ip != NULL) &&
		    (is_uint(slot[S_BIFLOW_DIRECTION]) || e->destination.counts.has_bytes ||
		     e->destination.counts.has_packets);
	e->client_is_destination =
		is_uint(slot[S_BIFLOW_DIRECTION]) && slot[S_BIFLOW_DIRECTION]->v.u == BIFLOW_REVERSE_INITIATOR;
	e->ingress.id = uint_or_null(slot[S_IN_IF]);
	e->ingress.name = first_typed(slot, S_IN_IF_NAME, 1, NF_T_STRING);
	e->egress.id = uint_or_null(slot[S_OUT_IF]);
	e->egress.name = first_typed(slot, S_OUT_IF_NAME, 1, NF_T_STRING);
	add_related(e, e->source.ip);
	add_related(e, e->destination.ip);
	add_related(e, e->source.nat_ip);
	add_related(e, e->destination.nat_ip);
	e->start_ms = rec->start_ms;
	e->end_ms = rec->end_ms;
	e->duration_ns = duration_ns(slot, rec);
}

void nf_flow_facts(const nf_record_t *rec, nf_flow_facts_t *facts)
{
	const nf_field_t *slot[S__COUNT];
	nf_ecs_counts_t src = {0}, dst = {0};

	scan(rec, slot);
	counts(slot, S_OCTETS_DELTA, S_PACKETS_DELTA, &src);
	counts(slot, S_REV_OCTETS_DELTA, S_REV_PACKETS_DELTA, &dst);
	facts->octets = src.bytes + dst.bytes;
	facts->packets = src.packets + dst.packets;
	facts->action = firewall_action(slot);
	facts->denied = facts->action != NULL && strcmp(facts->action, "denied") == 0;
}

void nf_ecs_extract(const nf_record_t *rec, nf_ecs_t *e)
{
	nf_ecs_extract_with(rec, NULL, e);
}

void nf_ecs_set_enrichment(nf_ecs_t *e, const nf_endpoint_info_t *src, const nf_endpoint_info_t *dst)
{
	const char *direction;

	e->source.info = src;
	e->destination.info = dst;
	if (src == NULL || dst == NULL)
		return;
	e->flow_locality = nf_flow_locality(src->locality, dst->locality);
	if (strcmp(e->direction, "unknown") == 0 && (direction = nf_flow_direction(src->locality, dst->locality)))
		e->direction = direction;
}

/* ---- the walk: the ECS objects as nf_doc_ops_t calls ---- */

static void ecs_text(const char *name, const char *text, const nf_doc_ops_t *ops, void *ctx)
{
	if (text != NULL)
		ops->text(ctx, name, text, strlen(text));
}

/* A number as text (ECS keywords that hold numbers). */
static void ecs_number_text(const char *name, uint64_t v, const nf_doc_ops_t *ops, void *ctx)
{
	char text[24];
	nf_line_t l = {.buf = text, .size = sizeof(text)};

	nf_line_u64(&l, v);
	ops->text(ctx, name, text, l.used);
}

void nf_ecs_mac_text(const nf_field_t *f, char text[NF_ECS_MAC_TEXT_SIZE])
{
	static const char digits[] = "0123456789ABCDEF";

	for (int i = 0; i < 6; i++) {
		text[3 * i] = digits[f->v.b[i] >> 4];
		text[3 * i + 1] = digits[f->v.b[i] & 15];
		text[3 * i + 2] = '-';
	}
	text[NF_ECS_MAC_TEXT_SIZE - 1] = '\0';
}

static void ecs_mac(const char *name, const nf_field_t *f, const nf_doc_ops_t *ops, void *ctx)
{
	char text[NF_ECS_MAC_TEXT_SIZE];

	nf_ecs_mac_text(f, text);
	ops->text(ctx, name, text, sizeof(text) - 1);
}

static void ecs_time(const char *name, int64_t ms, nf_time_cache_t *tc, const nf_doc_ops_t *ops, void *ctx)
{
	char text[NF_TIME_TEXT_MAX];

	if (ms >= 0)
		ops->text(ctx, name, text, nf_time_ms_text(ms, tc, text, sizeof(text)));
}

/* An array of one or two texts. */
static void ecs_list(const char *name, const char *a, const char *b, const nf_doc_ops_t *ops, void *ctx)
{
	ops->open_array(ctx, name);
	ops->text(ctx, NULL, a, strlen(a));
	if (b != NULL)
		ops->text(ctx, NULL, b, strlen(b));
	ops->close(ctx);
}

static void ecs_counts(const nf_ecs_counts_t *c, const nf_doc_ops_t *ops, void *ctx)
{
	if (c->has_bytes)
		ops->u64(ctx, "bytes", c->bytes);
	if (c->has_packets)
		ops->u64(ctx, "packets", c->packets);
}

static void ecs_double(const char *name, double v, const nf_doc_ops_t *ops, void *ctx)
{
	nf_field_t f = {.type = NF_T_F64, .len = 8};

	f.v.f = v;
	ops->field(ctx, name, &f);
}

static void ecs_nonempty(const char *name, const char *text, const nf_doc_ops_t *ops, void *ctx)
{
	if (text != NULL && *text != '\0')
		ops->text(ctx, name, text, strlen(text));
}

/* geo {country_iso_code, ..., name (the networks file's site), location
 * {lat, lon}} and as {number, organization {name}} of an endpoint. */
static void ecs_geo(const nf_endpoint_info_t *info, const nf_doc_ops_t *ops, void *ctx)
{
	const nf_geo_t *g = info->geo;
	const char *site = info->network != NULL ? info->network->site : NULL;

	if (g == NULL && site == NULL)
		return;
	ops->open_object(ctx, "geo");
	ecs_nonempty("name", site, ops, ctx);
	if (g != NULL) {
		ecs_nonempty("country_iso_code", g->country_iso_code, ops, ctx);
		ecs_nonempty("country_name", g->country_name, ops, ctx);
		ecs_nonempty("continent_code", g->continent_code, ops, ctx);
		ecs_nonempty("region_iso_code", g->region_iso_code, ops, ctx);
		ecs_nonempty("region_name", g->region_name, ops, ctx);
		ecs_nonempty("city_name", g->city_name, ops, ctx);
		if (g->has_location) {
			ops->open_object(ctx, "location");
			ecs_double("lat", g->lat, ops, ctx);
			ecs_double("lon", g->lon, ops, ctx);
			ops->close(ctx);
		}
	}
	ops->close(ctx);
	if (g == NULL || !g->has_as)
		return;
	ops->open_object(ctx, "as");
	ops->u64(ctx, "number", g->as_number);
	if (g->as_organization[0] != '\0') {
		ops->open_object(ctx, "organization");
		ecs_nonempty("name", g->as_organization, ops, ctx);
		ops->close(ctx);
	}
	ops->close(ctx);
}

/* source, destination, client or server. */
static void ecs_endpoint(const char *name, const nf_ecs_endpoint_t *p, const nf_doc_ops_t *ops, void *ctx)
{
	if (nf_ecs_endpoint_empty(p))
		return;
	ops->open_object(ctx, name);
	if (p->ip != NULL)
		ops->field(ctx, "ip", p->ip);
	if (p->port != NULL)
		ops->field(ctx, "port", p->port);
	if (p->mac != NULL)
		ecs_mac("mac", p->mac, ops, ctx);
	ecs_counts(&p->counts, ops, ctx);
	if (p->nat_ip != NULL || p->nat_port != NULL) {
		ops->open_object(ctx, "nat");
		if (p->nat_ip != NULL)
			ops->field(ctx, "ip", p->nat_ip);
		if (p->nat_port != NULL)
			ops->field(ctx, "port", p->nat_port);
		ops->close(ctx);
	}
	if (p->info != NULL) {
		ecs_text("locality", nf_locality_name(p->info->locality), ops, ctx);
		ecs_geo(p->info, ops, ctx);
	}
	ops->close(ctx);
}

static void ecs_network(const nf_ecs_t *e, const nf_doc_ops_t *ops, void *ctx)
{
	ops->open_object(ctx, "network");
	ecs_text("type", e->type, ops, ctx);
	if (e->has_proto) /* iana_number is a keyword in ECS: text */
		ecs_number_text("iana_number", e->proto, ops, ctx);
	ecs_text("transport", e->transport, ops, ctx);
	ecs_text("direction", e->direction, ops, ctx);
	if (e->community_id[0] != '\0')
		ecs_text("community_id", e->community_id, ops, ctx);
	ecs_counts(&e->network, ops, ctx);
	ops->close(ctx);
}

static void ecs_event(const nf_ecs_t *e, nf_time_cache_t *tc, const nf_doc_ops_t *ops, void *ctx)
{
	ops->open_object(ctx, "event");
	ecs_text("kind", "event", ops, ctx);
	ecs_list("category", "network", e->biflow ? "session" : NULL, ops, ctx);
	ecs_list("type", "connection", NULL, ops, ctx);
	ecs_text("action", e->action, ops, ctx);
	ecs_time("start", e->start_ms, tc, ops, ctx);
	ecs_time("end", e->end_ms, tc, ops, ctx);
	if (e->duration_ns >= 0)
		ops->u64(ctx, "duration", (uint64_t)e->duration_ns); /* ECS: nanoseconds */
	ops->close(ctx);
}

static void ecs_related(const nf_ecs_t *e, const nf_doc_ops_t *ops, void *ctx)
{
	if (e->nrelated == 0)
		return;
	ops->open_object(ctx, "related");
	ops->open_array(ctx, "ip");
	for (unsigned i = 0; i < e->nrelated; i++)
		ops->field(ctx, NULL, e->related[i]);
	ops->close(ctx);
	ops->close(ctx);
}

/* observer.ingress / observer.egress: {"interface":{"id":..,"name":..}} */
static void ecs_interface(const char *name, const nf_ecs_interface_t *i, const nf_doc_ops_t *ops, void *ctx)
{
	if (i->id == NULL && i->name == NULL)
		return;
	ops->open_object(ctx, name);
	ops->open_object(ctx, "interface");
	if (i->id != NULL) /* a keyword in ECS: text */
		ecs_number_text("id", i->id->v.u, ops, ctx);
	if (i->name != NULL)
		ops->field(ctx, "name", i->name);
	ops->close(ctx);
	ops->close(ctx);
}

void nf_ecs_walk(const nf_ecs_t *e, const char *observer, nf_time_cache_t *tc, const nf_doc_ops_t *ops, void *ctx)
{
	ecs_endpoint("source", &e->source, ops, ctx);
	ecs_endpoint("destination", &e->destination, ops, ctx);
	if (e->biflow) {
		ecs_endpoint("client", e->client_is_destination ? &e->destination : &e->source, ops, ctx);
		ecs_endpoint("server", e->client_is_destination ? &e->source : &e->destination, ops, ctx);
	}
	ecs_network(e, ops, ctx);
	ecs_event(e, tc, ops, ctx);
	if (e->flow_locality != NULL) {
		ops->open_object(ctx, "flow");
		ecs_text("locality", e->flow_locality, ops, ctx);
		ops->close(ctx);
	}
	ecs_related(e, ops, ctx);
	ops->open_object(ctx, "observer");
	ecs_text("ip", observer, ops, ctx);
	ecs_interface("ingress", &e->ingress, ops, ctx);
	ecs_interface("egress", &e->egress, ops, ctx);
	ops->close(ctx);
}
