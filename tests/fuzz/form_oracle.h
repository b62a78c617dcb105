/* What the body-format fuzzers (fuzz_json, fuzz_urlencoded, fuzz_multipart) check alike:
 * form.h's promises, a refusal's shape, and a round trip that gives back the same fields.
 * A failed check aborts, which libFuzzer reports as a crash. Not a fuzz target itself:
 * tests/fuzz/run links it into each. */
#ifndef LANDFORM_FORM_ORACLE_H
#define LANDFORM_FORM_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "form.h"

/* Small limits, so fuzzing reaches every one of them. */
extern const struct form_limits oracle_limits;

/* The fuzzer's arena, made on first use; the caller resets it after each input. */
struct arena *oracle_arena(void);

/* One parse's checks: a refused body (parsed false) has no fields and an error with a code of
 * its own, not "unknown", and the input is done (the arena reset); a parsed form keeps
 * form.h's promises within oracle_limits. Returns parsed: false, the fuzzer returns. */
bool oracle_check_parse(bool parsed, const struct form *f, const struct form_error_info *err);

/* g, the parse of what f was written back as, holds the same fields in the same order. */
void oracle_check_same(const struct form *f, const struct form *g);

/* A body format's parser that takes nothing but the body (urlencoded, JSON). */
typedef bool (*oracle_parse_fn)(struct arena *a, const char *body, size_t len,
                                const struct form_limits *lim, struct form *out,
                                struct form_error_info *err);

/* The input parsed with parse in the fuzzer's arena and checked (oracle_check_parse): true
 * when f holds a form to go on with. */
bool oracle_parse(oracle_parse_fn parse, const uint8_t *data, size_t size, struct form *f);

/* b, what f was written back as, parses with parse to the same fields (oracle_check_same);
 * then the input is done (the arena reset). */
void oracle_round_trip(oracle_parse_fn parse, const struct buf *b, const struct form *f);

#endif
