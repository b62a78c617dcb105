/* The page language: chosen per request from ?lang= and Accept-Language, zh-CN by default. */
#ifndef LANDFORM_LANG_H
#define LANDFORM_LANG_H

#include <stdbool.h>
#include <stddef.h>

/* Every language landform writes pages in; LANG_ZH_CN is the default. */
enum lang {
	LANG_ZH_CN = 0,
	LANG_EN,
};
#define LANG_COUNT 2

/* The BCP 47 tag for html lang="" and for form.json keys: "zh-CN", "en". Static storage. */
const char *lang_tag(enum lang l);

/* A language tag ("zh", "zh-CN", "zh_cn", "en-GB", case-insensitive) to a supported language,
 * by its primary subtag. Any Chinese tag maps to zh-CN: it is the only Chinese we write.
 * Returns false for anything else, including malformed tags. */
bool lang_from_tag(const char *tag, size_t len, enum lang *out) __attribute__((warn_unused_result));

/* The page language: the ?lang= value when it names a supported language, else the best
 * Accept-Language match by q-value (ties: earlier in the header wins; "*" stands for every
 * language not named; q=0 refuses), else zh-CN. Either argument may be NULL. Pure. */
enum lang lang_choose(const char *query_lang, const char *accept_language);

#endif
