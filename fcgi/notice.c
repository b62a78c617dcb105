/* Notices as people read them: the kinds table and one renderer per kind, the text both the
 * WeCom and the webhook bodies carry (notice_wire.c builds those). Pure: JSON in, strings out
 * (in the caller's arena). */
#include "notice.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "isotime.h"
#include "notice_int.h"
#include "utf8.h"

/* Longest piece of visitor or staff text put into a message, in code points. */
#define NAME_MAX_CP 24
#define TEXT_MAX_CP 40

struct ctx {
	struct buf *b;
	const cJSON *root;
	const cJSON *payload;
	const cJSON *staff;
	const cJSON *lead;
	bool md;
	long long tz;
};

/* The payload's parts are optional: a missing or mistyped one reads as absent. */
const cJSON *
notice_obj(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsObject(v) ? v : NULL;
}

/* An empty string says nothing to a reader: it reads as absent, like a missing one. */
const char *
notice_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ? v->valuestring : NULL;
}

/* Counts and ids arrive as JSON doubles: only those a long long holds exactly are read. */
bool
notice_num(const cJSON *o, const char *k, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v) || !(v->valuedouble > -1e15 && v->valuedouble < 1e15))
		return false;
	*out = (long long)v->valuedouble;
	return true;
}

/* Bytes in the UTF-8 sequence at s (at most left), or 0 when it is not a valid one. */
size_t
notice_seq_len(const unsigned char *s, size_t left)
{
	size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 0;

	if (n == 0 || n > left || !utf8_valid((const char *)s, n))
		return 0;
	return n;
}

/* Full-width stand-ins for the ASCII that WeCom markdown gives meaning to, so text from a
 * visitor can neither mention (<@all>), link, nor format; nothing is lost to the reader. */
static const char *
md_safe(unsigned char c)
{
	static const char ascii[] = "<>[]()*_`#~|\\&";
	static const char *const wide[] = {"＜", "＞", "［", "］", "（", "）", "＊",
	                                   "＿", "｀", "＃", "～", "｜", "＼", "＆"};
	const char *p = c != '\0' ? strchr(ascii, c) : NULL;

	return p != NULL ? wide[p - ascii] : NULL;
}

/* Append text that came from outside: controls become spaces, broken UTF-8 becomes '?',
 * markdown characters are defused, and at most max code points are kept (then "…"). */
static void
clean(struct ctx *x, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), cp = 0;

	while (left > 0) {
		size_t n = notice_seq_len(p, left);
		const char *alt;

		if (cp == max) {
			buf_adds(x->b, "…");
			return;
		}
		if (n == 0) {
			buf_addc(x->b, '?');
			n = 1;
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			buf_addc(x->b, ' ');
		} else if (n == 1 && x->md && (alt = md_safe(*p)) != NULL) {
			buf_adds(x->b, alt);
		} else {
			buf_add(x->b, p, n);
		}
		p += n;
		left -= n;
		cp++;
	}
}

/* Text from outside between two fixed pieces, or nothing at all when there is none. */
static void
quoted(struct ctx *x, const char *open, const char *s, const char *close)
{
	if (s == NULL)
		return;
	buf_adds(x->b, open);
	clean(x, s, TEXT_MAX_CP);
	buf_adds(x->b, close);
}

/* "5月1日 10:25" in the site's zone; the raw text (cleaned) when it is not a time. */
static void
local_time(struct ctx *x, const char *iso)
{
	struct isotime it;
	long long t, days, secs, y;
	int m, d;

	if (!isotime_parse(iso, &it)) {
		clean(x, iso, TEXT_MAX_CP);
		return;
	}
	t = it.epoch + x->tz;
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	isotime_civil_from_days(days, &y, &m, &d);
	buf_printf(x->b, "%d月%d日 %02lld:%02lld", m, d, secs / 3600, secs / 60 % 60);
}

/* A WeCom user id goes into <@...> unescaped: only the characters ids are made of. */
static bool
userid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

/* The recipient: a WeCom mention in markdown when we know their user id, else their name. */
static void
who(struct ctx *x)
{
	const char *uid = notice_str(x->staff, "wecom_userid");
	const char *name = notice_str(x->staff, "name");

	if (x->md && uid != NULL && userid_ok(uid))
		buf_printf(x->b, "<@%s>", uid);
	else if (name != NULL)
		clean(x, name, NAME_MAX_CP);
	else
		buf_adds(x->b, "你");
}

/* "{who}，" before a message addressed to one member. */
static void
greet(struct ctx *x)
{
	if (x->staff != NULL) {
		who(x);
		buf_adds(x->b, "，");
	}
}

/* The phone as notify_claim masked it (landform.mask_phone, sql/code/15_mask.sql: the one
 * masking rule); why: C keeps no rule of its own, it only refuses to show anything that does
 * not look masked (digits, "+" and at least one "*", at most 20 bytes), which becomes "***". */
const char *
notice_masked_phone(const char *phone)
{
	size_t n;

	if (phone == NULL)
		return NULL;
	n = strlen(phone);
	if (n == 0 || n > 20 || strspn(phone, "+0123456789*") != n || strchr(phone, '*') == NULL)
		return "***";
	return phone;
}

/* The lead as staff know it before accepting: name and masked phone. */
static void
lead_label(struct ctx *x)
{
	const char *name = notice_str(x->lead, "name");
	const char *phone = notice_masked_phone(notice_str(x->lead, "phone"));

	if (name == NULL && phone == NULL) {
		buf_adds(x->b, "一条线索");
		return;
	}
	if (name != NULL)
		clean(x, name, NAME_MAX_CP);
	if (phone != NULL)
		buf_printf(x->b, "%s%s", name ? " " : "", phone);
}

/* A time from the payload, or fallback when it has none. */
static bool
payload_time(struct ctx *x, const char *key, const char *before, const char *after)
{
	const char *t = notice_str(x->payload, key);

	if (t == NULL)
		return false;
	buf_adds(x->b, before);
	local_time(x, t);
	buf_adds(x->b, after);
	return true;
}

/* Where the lead came from (page, channel), so staff know the context before calling. */
static void
source(struct ctx *x)
{
	const char *page = notice_str(x->lead, "page");
	const char *ch = notice_str(x->lead, "channel");

	if (page == NULL && ch == NULL)
		return;
	buf_adds(x->b, "（来自");
	quoted(x, "「", page, "」");
	if (ch != NULL) {
		buf_adds(x->b, page ? " · 渠道 " : "渠道 ");
		clean(x, ch, TEXT_MAX_CP);
	}
	buf_adds(x->b, "）");
}

/* A new lead for the member, with the deadline that decides whether it comes back. */
static void
r_assigned(struct ctx *x)
{
	buf_adds(x->b, "新线索 ");
	lead_label(x);
	source(x);
	buf_adds(x->b, " 已分配给 ");
	who(x);
	if (!payload_time(x, "deadline", "，请在 ", " 前接受。"))
		buf_adds(x->b, "，请尽快接受。");
}

/* Imports arrive in bulk: one notice for the batch, not one per lead. */
static void
r_import_assigned(struct ctx *x)
{
	long long n;

	if (notice_num(x->payload, "leads", &n))
		buf_printf(x->b, "%lld 条导入的线索已分配给 ", n);
	else
		buf_adds(x->b, "导入的线索已分配给 ");
	who(x);
	if (!payload_time(x, "deadline", "，请在 ", " 前接受。"))
		buf_adds(x->b, "，请尽快接受。");
}

/* A member's own lead did something worth a call now: "{who}，你的客户 {lead}{did}{detail}，
 * 请及时跟进。", the detail quoted between open and close when the payload has one. */
static void
client_did(struct ctx *x, const char *did, const char *open, const char *detail, const char *close)
{
	greet(x);
	buf_adds(x->b, "你的客户 ");
	lead_label(x);
	buf_adds(x->b, did);
	quoted(x, open, detail, close);
	buf_adds(x->b, "，请及时跟进。");
}

/* The lead came back through a form: the page it used tells what they looked at. */
static void
r_repeat(struct ctx *x)
{
	client_did(x, " 再次提交了表单", "（页面 ", notice_str(x->payload, "page"), "）");
}

/* Whose offer it is, when the notice goes to someone else (a pool manager): the member
 * notify_claim looked up, or a name in the payload. NULL when told to the member. */
static const char *
for_manager(struct ctx *x)
{
	const char *to = notice_str(x->payload, "to");
	const char *name = notice_str(notice_obj(x->root, "member"), "name");

	if (to != NULL && strcmp(to, "manager") != 0)
		return NULL;
	if (name == NULL)
		name = notice_str(x->payload, "member");
	if (to == NULL && name == NULL)
		return NULL;
	return name != NULL ? name : "成员";
}

/* A warning while there is still time to accept; told to a manager, it names the member. */
static void
r_expiring(struct ctx *x)
{
	const char *member = for_manager(x);

	greet(x);
	if (member != NULL) {
		clean(x, member, NAME_MAX_CP);
		buf_adds(x->b, " 的线索 ");
	} else {
		buf_adds(x->b, "线索 ");
	}
	lead_label(x);
	if (!payload_time(x, "deadline", " 将在 ", " 超时收回"))
		buf_adds(x->b, " 即将超时收回");
	buf_adds(x->b, member != NULL ? "。" : "，请尽快接受。");
}

/* The lead went back to the pool: the member (or their manager) learns why it left. */
static void
r_expired(struct ctx *x)
{
	const char *member = for_manager(x);

	greet(x);
	if (member != NULL) {
		clean(x, member, NAME_MAX_CP);
		buf_adds(x->b, " 未按时接受线索 ");
		lead_label(x);
	} else {
		buf_adds(x->b, "线索 ");
		lead_label(x);
		buf_adds(x->b, " 未按时接受");
	}
	payload_time(x, "deadline", "（期限 ", "）");
	buf_adds(x->b, "，已收回。");
}

/* A lead stuck in one stage: how long, so the member knows how urgent. */
static void
r_stage_dwell(struct ctx *x)
{
	const char *stage = notice_str(x->payload, "stage");
	long long days;

	if (stage == NULL)
		stage = notice_str(x->lead, "stage");
	greet(x);
	buf_adds(x->b, "客户 ");
	lead_label(x);
	quoted(x, " 在「", stage, "」阶段");
	if (notice_num(x->payload, "days", &days))
		buf_printf(x->b, "已停留 %lld 天", days);
	else if (!payload_time(x, "since", "自 ", " 起未推进"))
		buf_adds(x->b, "停留过久");
	buf_adds(x->b, "，请跟进。");
}

/* Labels for the numbers a daily summary may carry; unknown ones show their key. */
static const struct {
	const char *key;
	const char *label;
} summary_labels[] = {
    {"new_leads", "新线索"},
    {"leads", "新线索"},
    {"assigned", "已分配"},
    {"accepted", "已接受"},
    {"pending", "待接受"},
    {"expired", "超时"},
    {"overdue", "已逾期"},
    {"open", "公海"},
    {"open_pool", "公海"},
    {"contacted", "已联系"},
    {"consultations", "咨询"},
    {"answered", "已回复"},
    {"unanswered", "待回复"},
    {"won", "成交"},
    {"deals", "成交"},
    {"amount", "成交额"},
    {"submissions", "提交"},
    {"repeat", "重复提交"},
    {"stale", "待跟进"},
    {"views", "浏览"},
    {"visitors", "访客"},
    {"received", "新分配"},
    {"accepted_in_time", "按时接受"},
    {"pending_now", "待接受"},
    {"owned_now", "跟进中"},
    {"reminders_now", "待跟进提醒"},
};

/* The day in numbers, labelled in Chinese; unknown keys still show, by name. */
static void
r_daily_summary(struct ctx *x)
{
	const char *day = notice_str(x->payload, "day");
	const cJSON *it;
	bool first = true;

	if (day == NULL)
		day = notice_str(x->payload, "date");
	if (day != NULL) {
		clean(x, day, 12);
		buf_adds(x->b, " ");
	}
	if (x->staff != NULL) {
		who(x);
		buf_adds(x->b, "：");
	}
	cJSON_ArrayForEach(it, x->payload)
	{
		const char *label = NULL;

		if (!cJSON_IsNumber(it) || it->string == NULL)
			continue;
		for (size_t i = 0; i < sizeof(summary_labels) / sizeof(summary_labels[0]); i++)
			if (strcmp(summary_labels[i].key, it->string) == 0)
				label = summary_labels[i].label;
		buf_adds(x->b, first ? "" : "，");
		if (label != NULL)
			buf_adds(x->b, label);
		else
			clean(x, it->string, 20);
		if (it->valuedouble > -1e15 && it->valuedouble < 1e15 &&
		    it->valuedouble == (double)(long long)it->valuedouble)
			buf_printf(x->b, " %lld", (long long)it->valuedouble);
		else
			buf_printf(x->b, " %.2f", it->valuedouble);
		first = false;
		if (x->b->len > NOTICE_TEXT_MAX / 2)
			break;
	}
	if (first)
		buf_adds(x->b, "今日无新动态");
	buf_adds(x->b, "。");
}

/* The administrator's check that a target is wired up: fixed words, no data. */
static void
r_test(struct ctx *x)
{
	buf_adds(x->b, "这是一条来自 landform 的测试消息，收到即表示通知配置正确。");
}

/* A kind this build does not know still reaches someone, naming the kind. */
static void
r_other(struct ctx *x)
{
	greet(x);
	if (x->lead != NULL) {
		buf_adds(x->b, "线索 ");
		lead_label(x);
		buf_adds(x->b, " 有新动态");
	} else {
		buf_adds(x->b, "有一条新通知");
	}
	buf_adds(x->b, "（");
	clean(x, notice_str(x->root, "kind"), 40);
	buf_adds(x->b, "）。");
}

/* A tag rule marked notify tagged the member's lead (issue 16): say which tag, now. */
static void
r_tagged(struct ctx *x)
{
	client_did(x, " 被打上标签", "「", notice_str(x->payload, "tag"), "」");
}

static const struct {
	const char *kind;
	const char *title;
	void (*render)(struct ctx *);
} kinds[] = {
    {"assigned", "新线索", r_assigned},
    {"import_assigned", "导入线索", r_import_assigned},
    {"repeat_submission", "客户再次提交", r_repeat},
    {"tagged", "客户新标签", r_tagged},
    {"expiring", "线索即将超时", r_expiring},
    {"expired", "线索已超时", r_expired},
    {"stage_dwell", "跟进提醒", r_stage_dwell},
    {"daily_summary", "每日汇总", r_daily_summary},
    {"test", "测试消息", r_test},
};

/* Cut s back to at most max bytes on a character boundary. */
static void
cut(struct buf *b, size_t max)
{
	if (b->len <= max)
		return;
	b->len = max;
	while (b->len > 0 && ((unsigned char)b->data[b->len] & 0xc0) == 0x80)
		b->len--;
	b->data[b->len] = '\0';
	buf_adds(b, "…");
}

/* Write the text into b; false when the notice has no kind. */
bool
notice_render(struct buf *b, const cJSON *root, bool md, const char *public_url)
{
	struct ctx x = {.b = b, .root = root, .md = md};
	const char *kind = notice_str(root, "kind");
	const char *title = "通知";
	void (*fn)(struct ctx *) = r_other;
	long long tz = 0, id;
	size_t limit;

	if (kind == NULL)
		return false;
	x.payload = notice_obj(root, "payload");
	x.staff = notice_obj(root, "staff");
	x.lead = notice_obj(root, "lead");
	if (notice_num(root, "tz_offset", &tz) && tz > -86400 && tz < 86400)
		x.tz = tz;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0) {
			title = kinds[i].title;
			fn = kinds[i].render;
		}
	buf_printf(b, md ? "**【%s】**\n" : "【%s】", title);
	fn(&x);
	/* Leave room for the link: a too long text loses its end, never the way to the lead. */
	limit = NOTICE_TEXT_MAX - (public_url ? strlen(public_url) : 0) - 64;
	cut(b, limit > 256 ? limit : 256);
	if (public_url != NULL && *public_url != '\0' && strlen(public_url) < 1024 &&
	    notice_num(x.lead, "id", &id)) {
		size_t n = strlen(public_url);

		while (n > 0 && public_url[n - 1] == '/')
			n--;
		if (md)
			buf_printf(b, "\n[查看线索](%.*s/staff/leads/%lld)", (int)n, public_url,
			           id);
		else
			buf_printf(b, " 查看：%.*s/staff/leads/%lld", (int)n, public_url, id);
	}
	return true;
}

/* Every notice is one JSON object; anything else is refused before rendering. */
cJSON *
notice_parse(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);

	if (root != NULL && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}

/* The text alone, without a body around it: what the tests and the fuzzer read. */
char *
notice_text(struct arena *a, const char *json, size_t len, bool markdown, const char *public_url)
{
	cJSON *root = notice_parse(json, len);
	struct buf b;
	bool ok;

	if (root == NULL)
		return NULL;
	buf_init(&b, a, 256);
	ok = notice_render(&b, root, markdown, public_url);
	cJSON_Delete(root);
	return ok ? b.data : NULL;
}
