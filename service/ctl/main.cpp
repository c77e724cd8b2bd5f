// sluicectl — command-line control of sluiced (docs/reference.md §12).
#include "ctl/ctlcommands.h"
#include "ctl/ctloutput.h"
#include "ctl/doctor.h"
#include "ctl/serviceinstaller.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHash>
#include <QLoggingCategory>
#include <QSet>

#include <cstdio>

using namespace sluice;
using namespace sluice::ctl;

namespace {

struct CommandSpec
{
    int (*run)(CtlContext &);
    QStringList options; // options this command accepts besides --home/--json
    int minArgs;
    int maxArgs; // -1 = any
};

const QHash<QString, CommandSpec> &commands()
{
    static const QHash<QString, CommandSpec> table{
        {QStringLiteral("status"), {Commands::status, {}, 0, 0}},
        {QStringLiteral("agents"), {Commands::agents, {}, 0, 0}},
        {QStringLiteral("drain"),
         {Commands::drain,
          {QStringLiteral("wait"), QStringLiteral("timeout"),
           QStringLiteral("suppress-notification")},
          0,
          0}},
        {QStringLiteral("cancel-drain"), {Commands::cancelDrain, {}, 0, 0}},
        {QStringLiteral("stop"), {Commands::stop, {QStringLiteral("timeout")}, 0, 0}},
        {QStringLiteral("restart"),
         {Commands::restart, {QStringLiteral("force"), QStringLiteral("wait")}, 0, 0}},
        {QStringLiteral("start"),
         {Commands::start, {QStringLiteral("if-desired"), QStringLiteral("keep-drain")}, 0, -1}},
        {QStringLiteral("send"),
         {Commands::send,
          {QStringLiteral("wait"), QStringLiteral("timeout"), QStringLiteral("idempotency-key"),
           QStringLiteral("follow")},
          2,
          2}},
        {QStringLiteral("turn"), {Commands::turn, {}, 1, 1}},
        {QStringLiteral("turns"),
         {Commands::turns,
          {QStringLiteral("session"), QStringLiteral("state"), QStringLiteral("limit")},
          0,
          0}},
        {QStringLiteral("follow"), {Commands::follow, {QStringLiteral("timeout")}, 1, 1}},
        {QStringLiteral("interrupt"), {Commands::interrupt, {QStringLiteral("session")}, 0, 1}},
        {QStringLiteral("shutdown-report"), {Commands::shutdownReport, {}, 0, 0}},
        {QStringLiteral("doctor"), {doctor, {}, 0, 0}},
        {QStringLiteral("service"),
         {serviceCommand,
          {QStringLiteral("system"), QStringLiteral("force"), QStringLiteral("dry-run"),
           QStringLiteral("platform"), QStringLiteral("drain-timeout"),
           QStringLiteral("interrupt-grace"), QStringLiteral("socket-activation")},
          1,
          1}},
    };
    return table;
}

const char Usage[] =
    "Usage: sluicectl [--home DIR] [--json] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  status                         state, drain, active agents, supervisor alignment\n"
    "  agents                         running turns\n"
    "  drain [--wait [--timeout S]] [--suppress-notification]\n"
    "                                 refuse new turns; --wait returns when no turn runs\n"
    "  cancel-drain                   accept turns again (unless a stop has begun)\n"
    "  stop [--timeout S]             planned stop: marker, SIGTERM, wait for the exit\n"
    "  restart [--force] [--wait]     restart (force: interrupt running turns at once);\n"
    "                                 --wait returns when the new process serves\n"
    "  start [--if-desired] [--keep-drain] [-- SLUICED-OPTIONS]\n"
    "                                 start sluiced unless running (through its service\n"
    "                                 manager when a unit is installed); --if-desired: only\n"
    "                                 when the last desired state is not \"stopped\";\n"
    "                                 --keep-drain: keep a drain left from before the stop\n"
    "  send SESSION TEXT [--wait | --follow] [--timeout S] [--idempotency-key KEY]\n"
    "                                 start a turn; --wait prints its output at the end,\n"
    "                                 --follow as it comes\n"
    "  turn ID                        a turn's state and output\n"
    "  turns [--session S] [--state S] [--limit N]\n"
    "                                 recent turns, newest first, and the queue\n"
    "  follow ID [--timeout S]        a turn's output as it comes, to its end\n"
    "  interrupt (TURN_ID | --session S)\n"
    "  shutdown-report                phases of the last stop\n"
    "  doctor                         markers, lock, permissions, alignment (exit 1 on a fail)\n"
    "  service install|uninstall|status [--system] [--force] [--dry-run]\n"
    "                                 [--drain-timeout S] [--interrupt-grace S]\n"
    "                                 [--socket-activation] (systemd: a sluiced.socket too)\n"
    "                                 [--platform systemd|launchd|windows]\n"
    "\n"
    "Global options:\n"
    "  --home DIR    the gateway's HOME (default: $SLUICE_HOME, else the per-user data folder)\n"
    "  --json        print exactly one JSON document on stdout\n"
    "  -h, --help    this text;  --version  the version\n"
    "\n"
    "Exit codes: 0 success, 1 the command failed, 2 usage error, 3 service not running or not\n"
    "reachable.\n";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluicectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));
    // Library warnings would garble --json output on a shared terminal; keep them unless asked.
    QLoggingCategory::setFilterRules(QStringLiteral("sluice.*.debug=false"));

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QList<QCommandLineOption> options{
        {QStringLiteral("home"), QStringLiteral("HOME folder."), QStringLiteral("DIR")},
        {QStringLiteral("json"), QStringLiteral("One JSON document on stdout.")},
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Help.")},
        {QStringLiteral("version"), QStringLiteral("Version.")},
        {QStringLiteral("wait"), QStringLiteral("Wait.")},
        {QStringLiteral("timeout"), QStringLiteral("Seconds."), QStringLiteral("S")},
        {QStringLiteral("suppress-notification"), QStringLiteral("Quiet drain.")},
        {QStringLiteral("force"), QStringLiteral("Force.")},
        {QStringLiteral("if-desired"), QStringLiteral("Only if desired.")},
        {QStringLiteral("session"), QStringLiteral("Session."), QStringLiteral("S")},
        {QStringLiteral("system"), QStringLiteral("System unit.")},
        {QStringLiteral("dry-run"), QStringLiteral("Print only.")},
        {QStringLiteral("socket-activation"), QStringLiteral("A .socket unit too.")},
        {QStringLiteral("platform"), QStringLiteral("Service manager."), QStringLiteral("P")},
        {QStringLiteral("drain-timeout"), QStringLiteral("Seconds."), QStringLiteral("S")},
        {QStringLiteral("interrupt-grace"), QStringLiteral("Seconds."), QStringLiteral("S")},
        {QStringLiteral("idempotency-key"), QStringLiteral("Key."), QStringLiteral("KEY")},
        {QStringLiteral("keep-drain"), QStringLiteral("Keep a leftover drain.")},
        {QStringLiteral("follow"), QStringLiteral("Follow the output.")},
        {QStringLiteral("state"), QStringLiteral("Turn state."), QStringLiteral("S")},
        {QStringLiteral("limit"), QStringLiteral("How many."), QStringLiteral("N")},
    };
    parser.addOptions(options);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command."));

    const QStringList arguments = QCoreApplication::arguments();
    const bool parsed = parser.parse(arguments);
    // --json is honoured even for usage errors, so a script always gets its one document.
    // Once parsed, the parser decides (it also accepts the single-dash -json spelling).
    const bool json = parsed ? parser.isSet(QStringLiteral("json"))
                             : arguments.contains(QStringLiteral("--json")) ||
                                   arguments.contains(QStringLiteral("-json"));
    CtlOutput out(json);
    if (!parsed)
        return out.fail(Exit::Usage, QStringLiteral("usage"),
                        parser.errorText() + QStringLiteral(" (see sluicectl --help)"));
    if (parser.isSet(QStringLiteral("help"))) {
        if (json)
            return out.result({{QStringLiteral("usage"), QString::fromLatin1(Usage)}}, {});
        std::fputs(Usage, stdout);
        return Exit::Ok;
    }
    if (parser.isSet(QStringLiteral("version")))
        return out.result({{QStringLiteral("version"), QStringLiteral(SLUICE_VERSION)}},
                          QStringLiteral("sluicectl %1").arg(QStringLiteral(SLUICE_VERSION)));

    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return out.fail(Exit::Usage, QStringLiteral("usage"),
                        QStringLiteral("no command given (see sluicectl --help)"));
    const QString name = positional.takeFirst();
    const auto it = commands().constFind(name);
    if (it == commands().constEnd())
        return out.fail(Exit::Usage, QStringLiteral("usage"),
                        QStringLiteral("unknown command '%1' (see sluicectl --help)").arg(name));
    const CommandSpec &spec = *it;
    static const QSet<QString> global{QStringLiteral("home"), QStringLiteral("json")};
    const QStringList used = parser.optionNames();
    for (const QString &o : used) {
        if (!global.contains(o) && !spec.options.contains(o))
            return out.fail(Exit::Usage, QStringLiteral("usage"),
                            QStringLiteral("%1 does not take --%2").arg(name, o));
    }
    if (positional.size() < spec.minArgs || (spec.maxArgs >= 0 && positional.size() > spec.maxArgs))
        return out.fail(
            Exit::Usage, QStringLiteral("usage"),
            QStringLiteral("wrong number of arguments for %1 (see sluicectl --help)").arg(name));

    // start passes what follows `--` to sluiced; anything else is a stray argument.
    const qsizetype dashes = arguments.indexOf(QStringLiteral("--"));
    const qsizetype afterDashes = dashes < 0 ? 0 : arguments.size() - dashes - 1;
    if (name == QLatin1String("start") && positional.size() > afterDashes)
        return out.fail(Exit::Usage, QStringLiteral("usage"),
                        QStringLiteral("start takes sluiced options only after -- (see "
                                       "sluicectl --help)"));

    CtlContext context;
    context.paths = HomePaths::fromOption(parser.value(QStringLiteral("home")));
    context.out = &out;
    context.parser = &parser;
    context.args = positional;
    return spec.run(context);
}
