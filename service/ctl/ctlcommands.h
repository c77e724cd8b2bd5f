#pragma once
#include "ctl/ctloutput.h"
#include "ctl/servicelink.h"

#include "sluice/paths.h"

#include <QCommandLineParser>
#include <QStringList>

namespace sluice::ctl {

// What every command gets: HOME, the output, the parsed options and its positional arguments.
struct CtlContext
{
    HomePaths paths;
    CtlOutput *out = nullptr;
    const QCommandLineParser *parser = nullptr;
    QStringList args; // positional arguments after the command name

    bool isSet(const char *option) const { return parser->isSet(QString::fromLatin1(option)); }
    QString value(const char *option) const { return parser->value(QString::fromLatin1(option)); }
    // A non-negative number of seconds from `option`; `fallback` when not set.
    // Sets *bad when the value is not a number.
    double seconds(const char *option, double fallback, bool *bad) const;
};

// The service-control commands of docs/reference.md §12 (doctor and service live in their own
// files).
namespace Commands {
int status(CtlContext &c);
int agents(CtlContext &c);
int drain(CtlContext &c);
int cancelDrain(CtlContext &c);
int stop(CtlContext &c);
int restart(CtlContext &c);
int start(CtlContext &c);
int send(CtlContext &c);
int turn(CtlContext &c);
int interrupt(CtlContext &c);
int shutdownReport(CtlContext &c);
int turns(CtlContext &c);
int follow(CtlContext &c);

// Shared helpers.
// Connects or answers "not running" (exit 3) through the output; returns false then.
bool connectOrFail(CtlContext &c, ServiceLink &link, int *exitCode);
// Maps an IPC error reply to an exit code and an error document.
int failFromReply(CtlContext &c, const IpcReply &reply);
QString formatStatus(const QJsonObject &status);
// Follows a turn's live output to the end (send --follow, follow); exit 0 only for `done`.
int followTurn(CtlContext &c, ServiceLink &link, const QString &turnId, double timeoutS);
QString formatShutdownReport(const QJsonObject &report);
} // namespace Commands

} // namespace sluice::ctl
