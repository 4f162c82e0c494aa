/* nfgen.c - a flow export load generator for imnetflow's benchmark.
 *
 * Sends NetFlow v5, NetFlow v9, IPFIX or sFlow v5 datagrams (or, as the
 * reference load for rsyslog's own imudp, one plain syslog line per
 * datagram) to a loopback address, at a target rate or flat out, in
 * sendmmsg() batches. Records carry varied addresses, ports and counters;
 * v9/IPFIX templates are sent first and again every -i seconds; several
 * exporters are simulated with source addresses 127.1.x.y (IP_PKTINFO).
 * The run is bounded: it stops after -n records or -t seconds, whichever
 * comes first, and refuses any destination outside 127.0.0.0/8 and ::1.
 *
 * With -w FILE nothing is sent: the datagrams are written to FILE as
 * [exporter (1 byte)][length (2 bytes)][payload]..., the input format of
 * the decoder benchmark and of the fuzz target (no HOST and PORT then).
 *
 * Build: make contrib/nfgen
 * Usage: nfgen -p v9 -n 1000000 -r 200000 127.0.0.1 2055
 * Prints on stdout: records=N datagrams=N seconds=S rate=R
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 256
#define DGRAM_MAX 9000
#define MAX_RECORDS_LIMIT 1000000000ULL
#define MAX_SECONDS_LIMIT 3600
#define MAX_EXPORTERS 65000
#define MAX_TEMPLATES 64

enum proto { P_V5, P_V9, P_IPFIX, P_SFLOW, P_SYSLOG };

/* One element of the generated v9/IPFIX template: IANA id and size. */
typedef struct element {
	uint16_t id;
	uint16_t len_v9, len_ipfix;
} element_t;

/* A typical router template: 16 elements, 45 bytes (v9) / 63 (IPFIX). */
static const element_t ELEMENTS[] = {
	{8, 4, 4},   /* source IPv4 address */
	{12, 4, 4},  /* destination IPv4 address */
	{7, 2, 2},   /* source port */
	{11, 2, 2},  /* destination port */
	{4, 1, 1},   /* protocol */
	{6, 1, 1},   /* TCP flags */
	{5, 1, 1},   /* type of service */
	{10, 2, 4},  /* input interface */
	{14, 2, 4},  /* output interface */
	{2, 4, 8},   /* packets */
	{1, 4, 8},   /* octets */
	{22, 4, 8},  /* first switched (v9: uptime ms) / flowStartMilliseconds (152) */
	{21, 4, 8},  /* last switched / flowEndMilliseconds (153) */
	{15, 4, 4},  /* next hop */
	{16, 2, 4},  /* source AS */
	{17, 2, 4},  /* destination AS */
};
#define NELEMENTS (sizeof(ELEMENTS) / sizeof(ELEMENTS[0]))

typedef struct flow {
	uint32_t src, dst, nexthop;
	uint16_t sport, dport, in_if, out_if;
	uint8_t proto, flags, tos;
	uint32_t packets, octets, src_as, dst_as;
	uint64_t start_ms, end_ms;     /* wall clock */
	uint32_t first_up, last_up;    /* uptime ms */
} flow_t;

typedef struct options {
	enum proto proto;
	uint64_t count;
	double rate;
	int seconds;
	int per_dgram;
	int exporters;
	int templates;
	int template_interval;
	int batch;
	int unique;         /* -U: template ids differ per exporter (no two alike) */
	int line_length;    /* -L: syslog datagrams padded to this many bytes (0: not padded) */
	const char *host;
	int port;
	const char *file;   /* -w: write datagrams here instead of sending */
} options_t;

typedef struct exporter {
	uint32_t sequence;      /* v9: datagrams; IPFIX, v5: records; sFlow: datagrams */
	uint16_t id_base;       /* id of its first template */
	time_t templates_sent;  /* 0: never */
} exporter_t;

static uint64_t flow_counter;
static struct timespec boot;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t uptime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((ts.tv_sec - boot.tv_sec) * 1000 + (ts.tv_nsec - boot.tv_nsec) / 1000000 + 3600000);
}

/* A new flow: addresses and ports spread like a busy network's. */
static void next_flow(flow_t *f, uint64_t wall_ms, uint32_t up)
{
	uint64_t n = flow_counter++;
	uint32_t h = (uint32_t)(n * 2654435761u);

	f->src = 0x0a000000u | (h & 0x00ffffffu);                 /* 10.0.0.0/8 */
	f->dst = 0xc0a80000u | (uint32_t)((n * 40503u) & 0xffffu); /* 192.168.0.0/16 */
	f->nexthop = 0xac100001u;
	f->sport = (uint16_t)(1024 + (h >> 8) % 64000);
	f->dport = (uint16_t)((n % 4 == 0) ? 443 : (n % 4 == 1) ? 53 : (n % 4 == 2) ? 80 : 1024 + n % 60000);
	f->proto = (n % 4 == 1) ? 17 : 6;
	f->flags = f->proto == 6 ? 0x1b : 0;
	f->tos = 0;
	f->in_if = (uint16_t)(1 + n % 8);
	f->out_if = (uint16_t)(9 + n % 8);
	f->packets = 1 + (uint32_t)(h % 1000);
	f->octets = f->packets * (40 + (h >> 16) % 1400);
	f->src_as = 64512 + (uint32_t)(n % 100);
	f->dst_as = 65000 + (uint32_t)(n % 50);
	f->end_ms = wall_ms;
	f->start_ms = wall_ms - h % 30000;
	f->last_up = up;
	f->first_up = up - h % 30000;
}

/* ---- byte writers ---- */
static uint8_t *put8(uint8_t *p, uint8_t v) { *p = v; return p + 1; }
static uint8_t *put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return p + 2; }
static uint8_t *put32(uint8_t *p, uint32_t v) { return put16(put16(p, (uint16_t)(v >> 16)), (uint16_t)v); }
static uint8_t *put64(uint8_t *p, uint64_t v) { return put32(put32(p, (uint32_t)(v >> 32)), (uint32_t)v); }

static uint8_t *put_sized(uint8_t *p, uint64_t v, unsigned len)
{
	switch (len) {
	case 1: return put8(p, (uint8_t)v);
	case 2: return put16(p, (uint16_t)v);
	case 4: return put32(p, (uint32_t)v);
	default: return put64(p, v);
	}
}

/* Template k lists the elements rotated by k, so templates differ. */
static const element_t *template_element(int k, unsigned i)
{
	return &ELEMENTS[(i + (unsigned)k) % NELEMENTS];
}

static uint16_t element_id(const element_t *e, int ipfix)
{
	if (ipfix && e->id == 22)
		return 152;
	if (ipfix && e->id == 21)
		return 153;
	return e->id;
}

static uint64_t element_value(const element_t *e, const flow_t *f, int ipfix)
{
	switch (e->id) {
	case 8: return f->src;
	case 12: return f->dst;
	case 7: return f->sport;
	case 11: return f->dport;
	case 4: return f->proto;
	case 6: return f->flags;
	case 5: return f->tos;
	case 10: return f->in_if;
	case 14: return f->out_if;
	case 2: return f->packets;
	case 1: return f->octets;
	case 22: return ipfix ? f->start_ms : f->first_up;
	case 21: return ipfix ? f->end_ms : f->last_up;
	case 15: return f->nexthop;
	case 16: return f->src_as;
	default: return f->dst_as;
	}
}

static unsigned record_len(int ipfix)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NELEMENTS; i++)
		n += ipfix ? ELEMENTS[i].len_ipfix : ELEMENTS[i].len_v9;
	return n;
}

/* ---- datagram builders: each returns the datagram's length ---- */
static size_t make_syslog_line(char *buf, size_t size, uint64_t wall, uint32_t up);
static size_t build_v5(uint8_t *buf, exporter_t *x, int nrec, uint64_t wall, uint32_t up)
{
	uint8_t *p = buf;
	flow_t f;

	p = put16(p, 5);
	p = put16(p, (uint16_t)nrec);
	p = put32(p, up);
	p = put32(p, (uint32_t)(wall / 1000));
	p = put32(p, (uint32_t)(wall % 1000) * 1000000u);
	p = put32(p, x->sequence);
	p = put8(p, 0);
	p = put8(p, 0);
	p = put16(p, 0);
	for (int r = 0; r < nrec; r++) {
		next_flow(&f, wall, up);
		p = put32(p, f.src);
		p = put32(p, f.dst);
		p = put32(p, f.nexthop);
		p = put16(p, f.in_if);
		p = put16(p, f.out_if);
		p = put32(p, f.packets);
		p = put32(p, f.octets);
		p = put32(p, f.first_up);
		p = put32(p, f.last_up);
		p = put16(p, f.sport);
		p = put16(p, f.dport);
		p = put8(p, 0);
		p = put8(p, f.flags);
		p = put8(p, f.proto);
		p = put8(p, f.tos);
		p = put16(p, (uint16_t)f.src_as);
		p = put16(p, (uint16_t)f.dst_as);
		p = put8(p, 24);
		p = put8(p, 16);
		p = put16(p, 0);
	}
	x->sequence += (uint32_t)nrec;
	return (size_t)(p - buf);
}

/* The header of a v9 or IPFIX message; the length is patched at the end. */
static uint8_t *templated_header(uint8_t *p, int ipfix, exporter_t *x, uint64_t wall, uint32_t up,
				 uint32_t domain)
{
	p = put16(p, ipfix ? 10 : 9);
	p = put16(p, 0); /* v9: record count, IPFIX: length; patched */
	if (!ipfix)
		p = put32(p, up);
	p = put32(p, (uint32_t)(wall / 1000));
	p = put32(p, x->sequence);
	return put32(p, domain);
}

static uint8_t *template_set(uint8_t *p, int ipfix, uint16_t id_base, int ntemplates, int *count)
{
	uint8_t *set = p;

	p = put16(p, ipfix ? 2 : 0);
	p = put16(p, 0);
	for (int k = 0; k < ntemplates; k++) {
		p = put16(p, (uint16_t)(id_base + k));
		p = put16(p, NELEMENTS);
		for (unsigned i = 0; i < NELEMENTS; i++) {
			const element_t *e = template_element(k, i);
			p = put16(p, element_id(e, ipfix));
			p = put16(p, ipfix ? e->len_ipfix : e->len_v9);
		}
		(*count)++;
	}
	put16(set + 2, (uint16_t)(p - set));
	return p;
}

static size_t build_templated(uint8_t *buf, int ipfix, exporter_t *x, int ntemplates, int with_templates,
			      int tid, int nrec, uint64_t wall, uint32_t up)
{
	uint8_t *p = templated_header(buf, ipfix, x, wall, up, 1);
	uint8_t *set;
	int count = 0;
	flow_t f;

	if (with_templates)
		p = template_set(p, ipfix, x->id_base, ntemplates, &count);
	set = p;
	p = put16(p, (uint16_t)(x->id_base + tid));
	p = put16(p, 0);
	for (int r = 0; r < nrec; r++) {
		next_flow(&f, wall, up);
		for (unsigned i = 0; i < NELEMENTS; i++) {
			const element_t *e = template_element(tid, i);
			p = put_sized(p, element_value(e, &f, ipfix), ipfix ? e->len_ipfix : e->len_v9);
		}
	}
	put16(set + 2, (uint16_t)(p - set));
	count += nrec;
	if (ipfix) {
		put16(buf + 2, (uint16_t)(p - buf));
		x->sequence += (uint32_t)nrec; /* IPFIX counts data records */
	} else {
		put16(buf + 2, (uint16_t)count);
		x->sequence++; /* v9 counts export packets */
	}
	return (size_t)(p - buf);
}

/* A sampled packet's first 54 bytes: Ethernet, IPv4, TCP or UDP. */
static uint8_t *sampled_header(uint8_t *p, const flow_t *f)
{
	static const uint8_t macs[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa};
	uint16_t total = (uint16_t)(f->octets / f->packets);

	memcpy(p, macs, 12);
	p = put16(p + 12, 0x0800);
	p = put8(p, 0x45);
	p = put8(p, f->tos);
	p = put16(p, total);
	p = put32(p, 0);
	p = put8(p, 64);
	p = put8(p, f->proto);
	p = put16(p, 0);
	p = put32(p, f->src);
	p = put32(p, f->dst);
	p = put16(p, f->sport);
	p = put16(p, f->dport);
	if (f->proto == 17) { /* UDP length and checksum, then payload */
		p = put16(p, (uint16_t)(total - 20));
		p = put16(p, 0);
	} else {
		p = put32(p, 1); /* TCP sequence number */
	}
	p = put32(p, 0);
	p = put8(p, 0x50);
	p = put8(p, f->flags);
	p = put16(p, 65535);
	return put32(p, 0);
}

static size_t build_sflow(uint8_t *buf, uint32_t agent, exporter_t *x, int nrec, uint64_t wall, uint32_t up)
{
	uint8_t *p = buf;
	flow_t f;

	p = put32(p, 5);
	p = put32(p, 1); /* agent address: IPv4 */
	p = put32(p, agent);
	p = put32(p, 0); /* sub-agent */
	p = put32(p, x->sequence++);
	p = put32(p, up);
	p = put32(p, (uint32_t)nrec);
	for (int r = 0; r < nrec; r++) {
		uint8_t *sample;
		next_flow(&f, wall, up);
		p = put32(p, 1); /* flow sample, enterprise 0 */
		sample = p;
		p = put32(p, 0);
		p = put32(p, (uint32_t)flow_counter);
		p = put32(p, f.in_if);
		p = put32(p, 1000);                       /* sampling rate */
		p = put32(p, (uint32_t)flow_counter * 1000); /* sample pool */
		p = put32(p, 0);
		p = put32(p, f.in_if);
		p = put32(p, f.out_if);
		p = put32(p, 1);  /* one flow record: raw packet header */
		p = put32(p, 1);
		p = put32(p, 16 + 56);
		p = put32(p, 1);  /* Ethernet */
		p = put32(p, (uint32_t)(f.octets / f.packets) + 14);
		p = put32(p, 4);
		p = put32(p, 54);
		p = sampled_header(p, &f);
		p = put16(p, 0); /* pad 54 to 56 */
		put32(sample, (uint32_t)(p - sample - 4));
	}
	return (size_t)(p - buf);
}

/* One syslog line per datagram, the length of imnetflow's summary line or
 * padded to -L bytes; lines are made once and then reused, so that the
 * generator outruns a receiver of one message per datagram. */
#define SYSLOG_LINES 4096
#define SYSLOG_LINE_MAX 1400
static size_t build_syslog(uint8_t *buf, uint64_t wall, uint32_t up, int line_length)
{
	static char lines[SYSLOG_LINES][SYSLOG_LINE_MAX + 1];
	static size_t lens[SYSLOG_LINES];
	static unsigned made, next;
	unsigned i = next++ % SYSLOG_LINES;

	if (i >= made) {
		lens[i] = make_syslog_line(lines[i], sizeof(lines[i]), wall, up);
		if (line_length > 0 && lens[i] + 5 < (size_t)line_length) { /* " pad=xxx..." */
			memcpy(lines[i] + lens[i], " pad=", 5);
			memset(lines[i] + lens[i] + 5, 'x', (size_t)line_length - lens[i] - 5);
			lens[i] = (size_t)line_length;
		}
		made = i + 1;
	}
	memcpy(buf, lines[i], lens[i]);
	return lens[i];
}

static size_t make_syslog_line(char *buf, size_t size, uint64_t wall, uint32_t up)
{
	char src[16], dst[16];
	flow_t f;
	struct in_addr a;

	next_flow(&f, wall, up);
	a.s_addr = htonl(f.src);
	inet_ntop(AF_INET, &a, src, sizeof(src));
	a.s_addr = htonl(f.dst);
	inet_ntop(AF_INET, &a, dst, sizeof(dst));
	return (size_t)snprintf(buf, size,
				"<14>Nov 28 12:00:00 exporter netflow: FLOW v9 src %s:%u dst %s:%u proto %u "
				"packets %u bytes %u",
				src, f.sport, dst, f.dport, f.proto, f.packets, f.octets);
}

/* ---- sending ---- */
static int loopback_destination(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return AF_INET6;
	}
	return -1;
}

static uint32_t exporter_address(int i)
{
	return 0x7f010001u + (uint32_t)i; /* 127.1.0.1, 127.1.0.2, ... */
}

typedef union pktinfo_control {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct cmsghdr align;
} pktinfo_control_t;

/* Sets the source address of a message to the exporter's (IPv4 only). */
static void set_source(struct msghdr *m, pktinfo_control_t *ctl, uint32_t source)
{
	struct cmsghdr *c;
	struct in_pktinfo *pi;

	memset(ctl, 0, sizeof(*ctl));
	m->msg_control = ctl->buf;
	m->msg_controllen = sizeof(ctl->buf);
	c = CMSG_FIRSTHDR(m);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	pi = (struct in_pktinfo *)CMSG_DATA(c);
	pi->ipi_spec_dst.s_addr = htonl(source);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nfgen [-p v5|v9|ipfix|sflow|syslog] -n RECORDS [-r RATE] [-t SECONDS]\n"
		"             [-R RECORDS_PER_DATAGRAM] [-e EXPORTERS] [-T TEMPLATES]\n"
		"             [-i TEMPLATE_INTERVAL] [-b BATCH] [-U] [-L BYTES] HOST PORT | -w FILE\n"
		"  -U: every exporter's templates differ (ids unique across exporters)\n"
		"  -L: syslog datagrams padded to BYTES (at most %d)\n"
		"  HOST must be in 127.0.0.0/8 or ::1; RATE 0 sends flat out;\n"
		"  at most %llu records and %d seconds.\n",
		SYSLOG_LINE_MAX, MAX_RECORDS_LIMIT, MAX_SECONDS_LIMIT);
	exit(2);
}

static int parse_proto(const char *s)
{
	static const char *const names[] = {"v5", "v9", "ipfix", "sflow", "syslog"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	usage();
	return 0;
}

static void parse_options(int argc, char **argv, options_t *o)
{
	int c;

	*o = (options_t){.proto = P_V9, .rate = 0, .seconds = 60, .per_dgram = 30, .exporters = 1,
			 .templates = 1, .template_interval = 1, .batch = 32};
	while ((c = getopt(argc, argv, "p:n:r:t:R:e:T:i:b:w:UL:")) != -1) {
		switch (c) {
		case 'p': o->proto = (enum proto)parse_proto(optarg); break;
		case 'n': o->count = strtoull(optarg, NULL, 10); break;
		case 'r': o->rate = strtod(optarg, NULL); break;
		case 't': o->seconds = atoi(optarg); break;
		case 'R': o->per_dgram = atoi(optarg); break;
		case 'e': o->exporters = atoi(optarg); break;
		case 'T': o->templates = atoi(optarg); break;
		case 'i': o->template_interval = atoi(optarg); break;
		case 'b': o->batch = atoi(optarg); break;
		case 'w': o->file = optarg; break;
		case 'U': o->unique = 1; break;
		case 'L': o->line_length = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != (o->file ? 0 : 2) || o->count == 0 || o->count > MAX_RECORDS_LIMIT || o->seconds <= 0 ||
	    o->seconds > MAX_SECONDS_LIMIT || o->rate < 0 || o->exporters < 1 || o->exporters > MAX_EXPORTERS ||
	    o->templates < 1 || o->templates > MAX_TEMPLATES || o->batch < 1 || o->batch > BATCH_MAX ||
	    o->per_dgram < 1 || o->template_interval < 1 || o->line_length < 0 ||
	    o->line_length > SYSLOG_LINE_MAX)
		usage();
	if (o->proto == P_V5 && o->per_dgram > 30)
		o->per_dgram = 30;
	if (o->proto == P_SYSLOG)
		o->per_dgram = 1;
	if ((o->proto == P_V9 || o->proto == P_IPFIX) &&
	    (size_t)o->per_dgram * record_len(o->proto == P_IPFIX) + 20 + 4 +
		    (size_t)o->templates * (4 + 4 * NELEMENTS) + 4 > DGRAM_MAX) {
		fprintf(stderr, "nfgen: -R and -T make datagrams larger than %d bytes\n", DGRAM_MAX);
		exit(2);
	}
	if (o->proto == P_SFLOW && (size_t)o->per_dgram * 108 + 28 > DGRAM_MAX) {
		fprintf(stderr, "nfgen: -R makes datagrams larger than %d bytes\n", DGRAM_MAX);
		exit(2);
	}
	if (o->file == NULL) {
		o->host = argv[optind];
		o->port = atoi(argv[optind + 1]);
	}
}

/* -w: the batch goes to a file instead of the network. */
static int write_batch(FILE *f, const struct mmsghdr *msgs, const uint8_t *exporter, int n)
{
	for (int i = 0; i < n; i++) {
		const struct iovec *v = msgs[i].msg_hdr.msg_iov;
		uint8_t head[3] = {exporter[i], (uint8_t)(v->iov_len >> 8), (uint8_t)v->iov_len};
		if (fwrite(head, 1, 3, f) != 3 || fwrite(v->iov_base, 1, v->iov_len, f) != v->iov_len)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH_MAX][DGRAM_MAX];
	static pktinfo_control_t ctl[BATCH_MAX];
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	uint8_t who[BATCH_MAX]; /* exporter of each datagram, for -w */
	struct sockaddr_storage dest;
	socklen_t dest_len = 0;
	exporter_t *exporters;
	options_t o;
	uint64_t sent = 0, datagrams = 0, next_exporter = 0;
	double start, deadline;
	int family = AF_INET, sock = -1;
	FILE *out = NULL;

	parse_options(argc, argv, &o);
	if (o.file != NULL) {
		if ((out = fopen(o.file, "wb")) == NULL) {
			perror(o.file);
			return 1;
		}
		o.rate = 0;
	} else if ((family = loopback_destination(o.host, o.port, &dest, &dest_len)) < 0) {
		fprintf(stderr, "nfgen: %s is not a loopback address; refusing to send\n", o.host);
		return 2;
	}
	if (family == AF_INET6 && o.exporters > 1) {
		fprintf(stderr, "nfgen: several exporters need an IPv4 destination\n");
		return 2;
	}
	if ((out == NULL && (sock = socket(family, SOCK_DGRAM, 0)) < 0) ||
	    (exporters = calloc((size_t)o.exporters, sizeof(*exporters))) == NULL) {
		perror("nfgen");
		return 1;
	}
	{
		int sndbuf = 4 << 20;
		(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	}
	for (int i = 0; i < o.exporters; i++)
		exporters[i].id_base = (uint16_t)(256 + (o.unique ? (i * o.templates) % (65280 - MAX_TEMPLATES) : 0));
	clock_gettime(CLOCK_MONOTONIC, &boot);
	start = mono();
	deadline = start + o.seconds;

	while (sent < o.count) {
		double now = mono();
		uint64_t wall = now_ms();
		uint32_t up = uptime_ms();
		int n = 0, rc;

		if (now >= deadline)
			break;
		if (o.rate > 0) { /* pace: never ahead of the target rate */
			double due = start + (double)sent / o.rate;
			if (due > now) {
				struct timespec ts = {.tv_sec = (time_t)(due - now),
						      .tv_nsec = (long)(((due - now) - (double)(time_t)(due - now)) * 1e9)};
				nanosleep(&ts, NULL);
				continue;
			}
		}
		for (; n < o.batch && sent < o.count; n++) {
			int xi = (int)(next_exporter++ % (uint64_t)o.exporters);
			exporter_t *x = &exporters[xi];
			int nrec = (int)((o.count - sent < (uint64_t)o.per_dgram) ? o.count - sent : (uint64_t)o.per_dgram);
			int tid = (int)((next_exporter / (uint64_t)o.exporters) % (uint64_t)o.templates);
			int with_templates = 0;
			size_t len;

			if ((o.proto == P_V9 || o.proto == P_IPFIX) &&
			    (x->templates_sent == 0 || (wall / 1000) - (uint64_t)x->templates_sent >=
							       (uint64_t)o.template_interval)) {
				with_templates = 1;
				x->templates_sent = (time_t)(wall / 1000);
			}
			switch (o.proto) {
			case P_V5: len = build_v5(bufs[n], x, nrec, wall, up); break;
			case P_V9: len = build_templated(bufs[n], 0, x, o.templates, with_templates, tid, nrec, wall, up); break;
			case P_IPFIX: len = build_templated(bufs[n], 1, x, o.templates, with_templates, tid, nrec, wall, up); break;
			case P_SFLOW: len = build_sflow(bufs[n], exporter_address(xi), x, nrec, wall, up); break;
			default: len = build_syslog(bufs[n], wall, up, o.line_length); nrec = 1; break;
			}
			who[n] = (uint8_t)xi;
			iov[n] = (struct iovec){.iov_base = bufs[n], .iov_len = len};
			msgs[n].msg_hdr = (struct msghdr){.msg_name = &dest, .msg_namelen = dest_len,
							  .msg_iov = &iov[n], .msg_iovlen = 1};
			if (o.exporters > 1)
				set_source(&msgs[n].msg_hdr, &ctl[n], exporter_address(xi));
			sent += (uint64_t)nrec;
		}
		if (out != NULL) {
			if (write_batch(out, msgs, who, n) != 0) {
				perror(o.file);
				return 1;
			}
			datagrams += (uint64_t)n;
			continue;
		}
		for (int off = 0; off < n; off += rc) {
			rc = sendmmsg(sock, msgs + off, (unsigned)(n - off), 0);
			if (rc < 0) {
				if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) {
					rc = 0;
					continue;
				}
				perror("nfgen: sendmmsg");
				return 1;
			}
		}
		datagrams += (uint64_t)n;
	}
	{
		double secs = mono() - start;
		printf("records=%llu datagrams=%llu seconds=%.3f rate=%.0f\n", (unsigned long long)sent,
		       (unsigned long long)datagrams, secs, secs > 0 ? (double)sent / secs : 0.0);
	}
	free(exporters);
	if (out != NULL && fclose(out) != 0) {
		perror(o.file);
		return 1;
	}
	if (sock >= 0)
		close(sock);
	return 0;
}
