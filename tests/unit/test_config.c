/* Config parsing: defaults, file syntax, environment precedence, ranges and messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "file.h"

static void
config_defaults_should_match_the_table(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_string_equal(c.listen, "unix:/run/landform/landformd.sock");
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.max_body, 65536);
	assert_true(c.db_prepare);
	assert_true(config_worker_count(&c) >= 1);
	config_free(&c);
}

static void
config_text_should_set_values_skip_comments_and_strip_quotes(void **state)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	assert_true(config_parse_text(&c,
				      "# a comment\n\n  workers = 3\nuser=\"web user\"\n"
				      "socket_mode = 0600\r\ndb_prepare = off\n",
				      "x.conf", err, sizeof(err)));
	assert_int_equal(c.workers, 3);
	assert_string_equal(c.user, "web user");
	assert_int_equal(c.socket_mode, 0600);
	assert_false(c.db_prepare);
	config_free(&c);
}

static void
config_text_should_name_file_line_and_option_on_bad_values(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "workers = 1000\n", "x.conf:1: workers: 1000 is out of range 0..256" },
		{ "\nworkers = many\n", "x.conf:2: workers: 'many' is not a number" },
		{ "workers = 3x\n", "x.conf:1: workers: '3x' is not a number" },
		{ "workers =\n", "x.conf:1: workers: '' is not a number" },
		{ "wrokers = 3\n", "x.conf:1: unknown option 'wrokers'" },
		{ "workers 3\n", "x.conf:1: expected 'name = value'" },
		{ "db_prepare = maybe\n", "x.conf:1: db_prepare: 'maybe' is not on/off" },
		{ "socket_mode = 0999\n", "x.conf:1: socket_mode: '0999' is not an octal number" },
		{ "max_body = 99\n", "x.conf:1: max_body: 99 is out of range 1024..16777216" },
		{ "max_body = 99999999999999999999999\n",
		  "x.conf:1: max_body: '99999999999999999999999' is not a number" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		char err[256] = "";

		config_defaults(&c);
		assert_false(config_parse_text(&c, cases[i].text, "x.conf", err, sizeof(err)));
		assert_string_equal(err, cases[i].want);
		config_free(&c);
	}
}

static void
config_env_should_win_over_the_file(void **state)
{
	struct config c;
	char err[256];
	char *env[] = { "PATH=/bin", "LANDFORM_WORKERS=7", "LANDFORM_DATABASE_URL=dbname=x",
			"LANDFORM_CONFIG=/etc/ignored", NULL };

	config_defaults(&c);
	assert_true(config_parse_text(&c, "workers = 2\n", "f", err, sizeof(err)));
	assert_true(config_parse_env(&c, env, err, sizeof(err)));
	assert_int_equal(c.workers, 7);
	assert_string_equal(c.database_url, "dbname=x");
	config_free(&c);
}

static void
config_env_should_refuse_bad_values_and_point_out_unknown_names(void **state)
{
	struct config c;
	char err[256];
	char *typo[] = { "LANDFORM_CONFIG=/x", "LANDFORM_WROKERS=7", NULL };
	char *bad[] = { "LANDFORM_WORKERS=-1", NULL };

	config_defaults(&c);
	assert_true(config_parse_env(&c, typo, err, sizeof(err)));
	assert_int_equal(c.workers, 0);
	assert_string_equal(config_unknown_env(typo), "LANDFORM_WROKERS=7");
	assert_null(config_unknown_env(bad));
	assert_false(config_parse_env(&c, bad, err, sizeof(err)));
	assert_string_equal(err, "LANDFORM_WORKERS: workers: -1 is out of range 0..256");
	config_free(&c);
}

static void
config_load_should_report_a_missing_file(void **state)
{
	struct config c;
	char err[256];
	char *env[] = { NULL };

	assert_false(config_load(&c, "/nonexistent/landform.conf", env, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read config file /nonexistent/landform.conf"));
	config_free(&c);
}

static void
config_options_should_all_have_help_and_valid_defaults(void **state)
{
	for (size_t i = 0; i < config_option_count; i++) {
		assert_non_null(config_options[i].help);
		assert_true(strlen(config_options[i].help) > 10);
	}
}

/* README.md's cells for an option, as the table says them: the README shows the default prefix
 * (/usr/local) whatever this build was configured with (pkg: the build's, sql_dir less /sql). */
static void
readme_cells(const struct config_option *o, const char *pkg, char cells[5][512])
{
	size_t j;

	snprintf(cells[0], 512, "`%s`", o->name);
	strcpy(cells[1], "`LANDFORM_");
	for (j = 0; o->name[j] != '\0' && j < 400; j++)
		cells[1][10 + j] = (char)toupper((unsigned char)o->name[j]);
	strcpy(cells[1] + 10 + j, "`");
	if (o->def[0] == '\0')
		snprintf(cells[2], 512, "(empty)");
	else if (strncmp(o->def, pkg, strlen(pkg)) == 0)
		snprintf(cells[2], 512, "`/usr/local/share/landform%s`", o->def + strlen(pkg));
	else
		snprintf(cells[2], 512, "`%s`", o->def);
	cells[3][0] = '\0';
	if (o->type == CONFIG_INT)
		snprintf(cells[3], 512, "%ld..%ld", o->min, o->max);
	else if (o->type == CONFIG_BOOL)
		snprintf(cells[3], 512, "on/off");
	snprintf(cells[4], 512, "%s", o->help);
}

/* A table row's five cells, trimmed; the help cell without the backticks markdown adds. */
static bool
row_cells(const char *line, char cells[5][512])
{
	const char *p = line;

	for (int c = 0; c < 5; c++) {
		const char *end;
		size_t n = 0;

		if (*p != '|')
			return false;
		p++;
		end = strchr(p, '|');
		if (end == NULL)
			return false;
		while (p < end && *p == ' ')
			p++;
		for (const char *q = p; q < end && n < 511; q++)
			if (c != 4 || *q != '`')
				cells[c][n++] = *q;
		while (n > 0 && cells[c][n - 1] == ' ')
			n--;
		cells[c][n] = '\0';
		p = end;
	}
	return true;
}

/* The option table is the truth: README.md's table must say the same, cell for cell, and name
 * no option the table lacks (PgBouncer checks its documentation the same way). */
static void
config_options_should_each_have_their_row_in_the_readme(void **state)
{
	size_t len, rows = 0;
	char *readme = file_read(TEST_DATA_DIR "/../../README.md", 1u << 22, &len);
	char pkg[256] = "", want[5][512], have[5][512];
	const char *line;

	(void)state;
	assert_non_null(readme);
	for (size_t i = 0; i < config_option_count; i++)
		if (strcmp(config_options[i].name, "sql_dir") == 0)
			snprintf(pkg, sizeof(pkg), "%.*s", (int)strlen(config_options[i].def) - 4,
				 config_options[i].def);
	assert_true(pkg[0] == '/');
	for (line = strstr(readme, "\n| `"); line != NULL; line = strstr(line + 1, "\n| `")) {
		const struct config_option *o = NULL;

		if (!row_cells(line + 1, have) || strncmp(have[1], "`LANDFORM_", 10) != 0)
			continue;
		for (size_t i = 0; i < config_option_count; i++) {
			char name[512];

			snprintf(name, sizeof(name), "`%s`", config_options[i].name);
			if (strcmp(name, have[0]) == 0)
				o = &config_options[i];
		}
		if (o == NULL)
			fail_msg("README.md documents an option landformd does not have: %s", have[0]);
		readme_cells(o, pkg, want);
		for (int c = 0; c < 5; c++)
			if (strcmp(want[c], have[c]) != 0)
				fail_msg("README.md's row for %s says\n  %s\nwhere the option table says\n  %s",
					 o->name, have[c], want[c]);
		rows++;
	}
	/* Each option once: as many rows as options, none unknown. */
	assert_int_equal(rows, config_option_count);
	free(readme);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_defaults_should_match_the_table),
		cmocka_unit_test(config_text_should_set_values_skip_comments_and_strip_quotes),
		cmocka_unit_test(config_text_should_name_file_line_and_option_on_bad_values),
		cmocka_unit_test(config_env_should_win_over_the_file),
		cmocka_unit_test(config_env_should_refuse_bad_values_and_point_out_unknown_names),
		cmocka_unit_test(config_load_should_report_a_missing_file),
		cmocka_unit_test(config_options_should_all_have_help_and_valid_defaults),
		cmocka_unit_test(config_options_should_each_have_their_row_in_the_readme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
