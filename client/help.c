/* help: the paragraph `karta COMMAND --help` prints under its usage line, for each command
 * (each option's line stays in its command's table, beside the option). One file, in the
 * order of `karta --help`, so the manual reads, and is reviewed and translated, as one text.
 * A command names its paragraph by symbol (help.h): a missing one does not build.
 * The paragraphs are msgids (N_): _() translates them where they are printed (opts.c). */
#include "help.h"

#include "kt_i18n.h"

/* --- plans/cmd_plan.c ------------------------------------------------------------------------ */
const char help_plan_list[] =
	N_("Lists the plans this device may see: its organization's own, those of the\n"
	"organizations above it, and (region, municipality) those below it.");
const char help_plan_show[] =
	N_("Prints a plan: its header, then each section's items. Items carried from the\n"
	"parent plan are marked 'derived', read-only references 'ref'. csv gives one row\n"
	"per item with its id; json the whole plan with parsed deadlines and parties;\n"
	"xlsx (-o FILE.xlsx) the header on the sheet «План», the csv rows on «Мероприятия».");
const char help_plan_create[] =
	N_("Creates a draft plan owned by this device's organization, with its sections.\n"
	"Prints \"plan <id> created\".");
const char help_plan_section[] =
	N_("Adds a section to a draft plan. Prints \"section <id> added\".");
const char help_plan_edit[] =
	N_("Changes the given fields of a draft plan; the others keep their current values.\n"
	"Prints \"plan <id> updated (version N)\".");
const char help_plan_derive[] =
	N_("Creates this organization's plan from the plan of the organization directly\n"
	"above: a municipality takes the items addressed to municipalities or schools and\n"
	"carries the rest as read-only references; a school takes the items addressed to\n"
	"schools, its group or itself. Prints \"plan <id> derived from <parent>: N items,\n"
	"M references\".");
const char help_plan_approve[] =
	N_("Approves a draft plan by an act; its text is read-only from then on.\n"
	"Prints \"plan <id> approved (version N)\".");
const char help_plan_archive[] =
	N_("Archives an approved plan. Prints \"plan <id> archived (version N)\".");

/* --- plans/cmd_item.c ------------------------------------------------------------------------ */
const char help_item_add[] =
	N_("Adds an item to a draft plan. The server normalizes the deadline and reads the\n"
	"parties from the responsible and target texts. Prints \"item <id> created\".");
const char help_item_show[] =
	N_("Prints one item with its normalized deadline and parties, and its status: this\n"
	"organization's and, on the items derived from it, those of the organizations below,\n"
	"with comment and evidence.");
const char help_item_history[] =
	N_("Prints who changed an item, when, from which device, and what: each changed field\n"
	"with its old and new value.");
const char help_item_edit[] =
	N_("Changes the given fields of an item; the others keep their current values.\n"
	"In a derived item the title and deadline belong to the parent plan.\n"
	"Prints \"item <id> updated (version N)\".");
const char help_item_move[] =
	N_("Moves an item to another section, position or parent item.\n"
	"Prints \"item <id> moved (version N)\".");
const char help_item_delete[] =
	N_("Deletes an item from a draft plan. The row stays, marked deleted with the reason\n"
	"(karta plan show --deleted). Prints \"item <id> deleted (version N)\".");

/* --- local/cmd_sync.c ------------------------------------------------------------------------ */
const char help_sync[] =
	N_("Sends the changes queued in the local outbox, then fetches every change the server\n"
	"has for this device until caught up, and prints what changed. Interrupted, it resumes\n"
	"where it stopped: nothing is applied twice or skipped. A change whose answer was lost\n"
	"(the server restarted, the database failed over) is sent again and applied once.");
const char help_watch[] =
	N_("Stays connected: syncs now, then whenever the server pokes (a change in a feed this\n"
	"device reads) and at least every --interval seconds. Reconnects with backoff when\n"
	"the connection drops. Stop it with Ctrl-C.");
const char help_status[] =
	N_("Shows the local replica without contacting the server: which organization it\n"
	"belongs to, the feeds and their cursors, the changes queued for sending, the ones\n"
	"the server refused, open conflicts and the time of the last sync.\n"
	"With --rows, one line per synced row: two replicas that converged print the same.\n"
	"'karta item status ITEM STATUS' sets an item's status (see its --help).");
const char help_conflicts_list[] =
	N_("Lists the open conflicts in the local replica (run 'karta sync' first): edits made\n"
	"on an older version of a row whose same fields someone else changed meanwhile,\n"
	"with both values of each field.");
const char help_conflicts_resolve[] =
	N_("Resolves a conflict; the resolution is queued and sent like any change.");

/* --- reports/cmd_report.c -------------------------------------------------------------------- */
const char help_item_status[] =
	N_("Sets this organization's status of an item of its own plan: STATUS is one of\n"
	"  not_started, in_progress, done, not_applicable, blocked\n"
	"(or in Russian: «не начато», «в работе», «выполнено», «не требуется»,\n"
	"«заблокировано»). The status is written whole: a comment or evidence not given is\n"
	"cleared. Works offline: the change is queued until 'karta sync'.\n"
	"Prints \"status of item ITEM: STATUS (version N)\".");
const char help_report_request[] =
	N_("Asks the organizations below for a report on a plan item (of this organization's\n"
	"plan or a plan above it), due on a date or for a period. Prints\n"
	"\"report request <id> created (version N)\".");
const char help_report_draft[] =
	N_("Starts this organization's answer to a report request (a draft, with a new id), or\n"
	"edits a draft or returned submission. Editing an accepted submission starts the\n"
	"next one (the accepted one stays as it was). Submit it with 'karta report submit'.\n"
	"Works offline.");
const char help_report_submit[] =
	N_("Submits a draft, or resubmits a returned submission, to the request's receiver.\n"
	"Given a request id, creates this organization's submission and submits it in one\n"
	"step. A comment or evidence given is saved first. Works offline.");
const char help_report_accept[] =
	N_("Accepts a submitted report: its receiver, or an organization above it, never its\n"
	"author. An accepted submission is frozen: a later change is a new submission.");
const char help_report_return[] =
	N_("Returns a submitted report to its author with the reason; they edit it ('karta\n"
	"report draft') and resubmit it ('karta report submit').");

/* --- reports/report_list.c ------------------------------------------------------------------- */
const char help_report_list[] =
	N_("Lists the report requests and submissions in the local replica (as of the last\n"
	"'karta sync'): one line per submission, and one per request nobody has answered:\n"
	"requests this organization issued or was asked, its own submissions and, for a\n"
	"receiver, those of the organizations below it.");
const char help_report_show[] =
	N_("Shows a report request (with the submissions this replica holds) or a submission,\n"
	"from the local replica. --format json prints the rows as synced.");

/* --- reports/cmd_rollup.c -------------------------------------------------------------------- */
const char help_rollup[] =
	N_("How the plans are carried out, as of a day: per organization the items, how many\n"
	"were due by then, done (done % = done of all items), overdue (due before the day\n"
	"and neither done nor not applicable), due without any status (not reported),\n"
	"report requests due and missing, returned reports and the last submission; per\n"
	"municipality also its schools' figures. --by item: one row per item of the scope's\n"
	"own plans, with its status there and how many organizations below did it.\n"
	"Drill down with --scope (a municipality, then a school). The table ends with a TOTAL\n"
	"row; on a terminal, overdue figures are in red. --format csv has the same columns\n"
	"(no TOTAL row), json every column the server computes, xlsx (-o FILE.xlsx) the\n"
	"csv columns as a spreadsheet: numbers, percentages and dates typed.");
const char help_overdue[] =
	N_("Everything overdue in the scope as of a day, by due date: items whose dated\n"
	"deadline passed before the day and that were neither done nor not applicable then\n"
	"(state: their status, or not_reported), and report requests due before the day that\n"
	"an organization had not submitted (state: missing, draft or returned).");
const char help_registry_duplicates[] =
	N_("The same person entered as a participant by two schools this organization reads\n"
	"(a municipality: its schools; the region: all): the same surname, name, patronymic\n"
	"and birth date, or the same document, or the same СНИЛС. Computed by the server.");

/* --- registry/registry_list.c ---------------------------------------------------------------- */
const char help_registry_list[] =
	N_("Lists a registry as the local replica holds it (run 'karta sync' first): the rows\n"
	"this organization may see, with changes queued here laid over them, sorted (by\n"
	"school, class and name; exam date; code). Works offline.");

/* --- registry/registry_show.c ---------------------------------------------------------------- */
const char help_registry_show[] =
	N_("Shows one registry row from the local replica as it reads (Russian labels, values\n"
	"in words, organizations and exam points by code); --format json prints the stored\n"
	"row as is. TYPE is participant, exam, registration, exam-point, auditorium, staff or\n"
	"staff-point.");
const char help_registry_history[] =
	N_("Who changed one registry row and when, from the server (its change feed): each\n"
	"creation, edit and deletion with the fields it changed (by name), the writing\n"
	"organization and device, a deletion's reason. Needs the server.");

/* --- registry/registry_edit.c ---------------------------------------------------------------- */
const char help_registry_edit[] =
	N_("Corrects one registry row: each --FIELD VALUE sets a column, typed as karta's CSV\n"
	"layout takes it (docs/registries.md) and checked with the import's rules. ID is the\n"
	"row's karta id or GUID ('karta registry list' shows it). Works offline: the change\n"
	"is queued and sent when the server is reachable, which refuses it where this\n"
	"device may not write. --help after the registry lists its fields.");
const char help_registry_delete[] =
	N_("Deletes one registry row (a soft deletion: the row, its reason and its history stay;\n"
	"what hangs on it — registrations, auditoriums, attachments — goes with it). ID is\n"
	"the row's karta id or GUID. Works offline like 'edit'.");

/* --- registry/registry_export.c -------------------------------------------------------------- */
const char help_registry_export[] =
	N_("Writes a registry from the local replica as CSV (';', CRLF) with the Russian headers\n"
	"'karta registry import' reads: karta's layout, or --layout ris, the interop layout\n"
	"(participants and exam points only) with GUID keys and deleted-row flags. Every row\n"
	"carries its identity («Идентификатор»; interop: «Guid»), so importing the file again\n"
	"changes nothing and an edited line updates the row it came from. Rows are sorted by\n"
	"the layout's key (docs/registries.md «Export»). --format xlsx -o FILE.xlsx writes the\n"
	"same columns as a spreadsheet (dates as dates, counts as numbers) for reading, not for\n"
	"import. Works offline.");

/* --- exam/cmd_exam.c ------------------------------------------------------------------------- */
const char help_exam_plan[] =
	N_("Assigns an exam point to the exam, with the seats reserved for it, and auditoriums\n"
	"of the point as exam rooms (or preparation rooms). Rooms not named stay as they\n"
	"are. All or nothing: one refused room refuses the whole command.");
const char help_exam_settings[] =
	N_("The region's planning settings of an exam: organizers per exam room (К-06 counts\n"
	"the missing ones) and whether distribution may cross municipalities.");
const char help_exam_distribute[] =
	N_("Distributes the exam's registered participants to its exam points (the region:\n"
	"all; a municipality: its schools' participants to its points): by municipality,\n"
	"within the seats reserved at each point, ОВЗ participants only to points with an\n"
	"adapted exam room; manual distributions are kept. Prints how many were distributed,\n"
	"not distributed and registered for another exam the same day.");
const char help_exam_seat[] =
	N_("Seats the participants distributed to the exam points in their points' exam rooms\n"
	"(auditorium, row, seat), never on an unusable seat, ОВЗ participants only in adapted\n"
	"rooms; manual seats are kept. Prints how many were seated and left unseated.");
const char help_exam_assign_staff[] =
	N_("Assigns a staff member to the exam at a point, in a role (an organizer in an\n"
	"auditorium: with its room, --responsible for the one responsible for the room,\n"
	"marked on ППЭ-07). A teacher of the exam's subject is refused.");
const char help_exam_lock[] =
	N_("Locks the exam's planning (the region, after export to the points): every further\n"
	"planning step is refused, with the reason, until 'karta exam unlock'.");
const char help_exam_unlock[] =
	N_("Unlocks the exam's planning (the region).");
const char help_exam_seating[] =
	N_("The seating list of each auditorium, by point, room, row and seat: for printing at\n"
	"the exam point. Names only of participants this organization may read.\n"
	"A school sees where its own participants sit, and nobody else (read-only).");

/* --- exam/exam_schedule.c -------------------------------------------------------------------- */
const char help_exam_schedule_import[] =
	N_("Reads the region's exam schedule (UTF-8 or Windows-1251; ; , or TAB) with the\n"
	"columns «Дата экзамена» (дд.ММ.гггг or гггг-ММ-дд), «Код предмета» (1-99),\n"
	"«Предмет», «Форма» (ЕГЭ, ОГЭ, ГВЭ), «ГИА» (9 or 11; needed for ГВЭ), «Период»\n"
	"(основной, досрочный, дополнительный, резервный) and «ExamGlobalID» (the federal\n"
	"exam id the federal package's registrations name). An exam is found by its\n"
	"ExamGlobalID, else by subject, form, ГИА and date. Rejected rows are listed as\n"
	"FILE:LINE: «column»: reason; without --partial any rejected row means nothing is\n"
	"queued. Importing the same file again queues nothing. The region's devices only.");

/* --- exam/cmd_control.c ---------------------------------------------------------------------- */
const char help_control[] =
	N_("A control report of an exam's planning, computed by the server for what this\n"
	"organization plans (the region: every point; a municipality: its points and its\n"
	"participants). REPORT is one of\n"
	"  K-02        per municipality: registered, distributed, not distributed, points used\n"
	"  K-03        per exam point: distributed vs usable seats of the assigned exam rooms,\n"
	"              reserved seats, shortage, free seats\n"
	"  K-06        per exam point: seat shortage, unseated participants, organizers\n"
	"              needed/assigned/missing, heads and missing heads; TOTAL adds the\n"
	"              participants not distributed at all\n"
	"  K-09        per auditorium (POINT/ROOM): usable seats, seated, fill %\n"
	"  duplicates  registered participants who look like one person\n"
	"  same-day    participants registered for another exam the same day\n"
	"On a terminal, trouble figures above zero are in red.");

/* --- print/form_plan.c ----------------------------------------------------------------------- */
const char help_print_plan[] =
	N_("A roadmap as the document to sign: the approving act (or ПРОЕКТ for a draft),\n"
	"title, academic year, the act it implements, and its sections and items with\n"
	"deadline, responsible and result. A4 landscape, PDF.");

/* --- print/form_notice.c --------------------------------------------------------------------- */
const char help_print_notice[] =
	N_("Participants' notifications: for each participant of the school (or class), by\n"
	"class and name, every exam they are registered for with date, subject, exam\n"
	"point (code, name, address), auditorium and seat where seated, the rules of the\n"
	"day and lines to sign. A4, one or two per sheet, PDF.");

/* --- print/form_ppe05.c ---------------------------------------------------------------------- */
const char help_print_ppe_05_01[] =
	N_("Form ППЭ-05-01, the list of participants in an auditorium, for the door of each\n"
	"exam room: one auditorium per page, participants by row and seat, with school and\n"
	"class. The seating comes from the server (it names only participants this\n"
	"organization may read); A4, PDF.");

/* --- print/form_ppe07.c ---------------------------------------------------------------------- */
const char help_print_ppe_07[] =
	N_("Form ППЭ-07, the staff of an exam point at an exam (karta exam assign-staff): the\n"
	"head, organizers in auditoriums (the responsible one of each room marked),\n"
	"organizers outside, assistants, technicians, medics and ГЭК members, with their\n"
	"documents and workplaces and a column to sign. A4, PDF.");

/* --- print/form_rollup.c --------------------------------------------------------------------- */
const char help_print_rollup[] =
	N_("The roll-up report as of a day, computed by the server as 'karta rollup': one row\n"
	"per municipality for the region (per school for a municipality or --scope), with\n"
	"done shares and overdue counts and an ИТОГО row. A4 landscape, PDF.");

/* --- dashboard/cmd_dashboard.c --------------------------------------------------------------- */
const char help_dashboard[] =
	N_("Serves the dashboard — the roll-up by municipality and school with progress bars\n"
	"and a chart, the drill-down to a school's items and evidence, the overdue list, the\n"
	"report requests and the exam planning reports, as of any day, every table as CSV\n"
	"(the server's tables also as XLSX) — on 127.0.0.1 only, in Russian, for this\n"
	"device's organization and what it may read. The address printed at start carries\n"
	"a random key: without it the page refuses. The tables the server computes need it\n"
	"reachable; offline the page shows what was synced and the tables as last seen, and\n"
	"says so. Stop with Ctrl+C.");
