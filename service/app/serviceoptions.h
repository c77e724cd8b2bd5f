#pragma once
#include <QString>
#include <QStringList>

namespace sluice {

// Every option of sluiced (docs/reference.md §1). Each option can also be
// set in the config file (INI, same key names without the leading dashes); the command line
// wins over the file, the file over the defaults.
struct ServiceOptions
{
    QString home;              // resolved, absolute
    QString configFile;        // the file that was read, empty if none
    QStringList agentCommand;  // program + arguments, split like a shell would
    double drainTimeoutS = 30; // 0 = do not wait
    double interruptGraceS = 5;
    int maxConcurrent = 8;
    int httpPort = 47470;                              // 0 = any free port, -1 = no HTTP
    QString httpAddress = QStringLiteral("127.0.0.1"); // HTTP bind address (loopback default)
    QString socketPath;                                // empty = HomePaths::defaultSocketPath()
    QString logLevel = QStringLiteral("info");         // debug, info, warning, error
    bool supervised = false;
    bool noHandoff = false;        // restarts drain, exit and start the successor (no hand-off)
    qint64 drainMarkerTtlS = 3600; // 0 = markers never expire
    double lockWaitS = 5;          // how long to wait for an exiting predecessor's lock
    qint64 logMaxBytes = 5 * 1024 * 1024; // logs/sluiced.log size cap before rotation
    int logKeep = 3;                      // rotated files kept: sluiced.log.1 .. .N
    // Limits of the two ways in (docs/reference.md §1).
    qint64 ipcMaxPendingBytes = 8 * 1024 * 1024; // unread output before a client is dropped
    double ipcStallTimeoutS = 10;                // a partial frame may stall this long
    int ipcMaxConnections = 256;                 // then the least recently active one goes
    double ipcIdleTimeoutS = 300;                // a client without requests is closed after
    double httpIdleTimeoutS = 10;                // idle keep-alive connection closed after
    double httpRequestTimeoutS = 30;             // a request must be complete within
    // How turns are contained, and the limits each runs under (0 = none).
    QString containment = QStringLiteral("auto"); // auto, cgroup, process-group, job-object
    qint64 turnMemoryMaxBytes = 0;
    qint64 turnPidsMax = 0;
    double turnCpuMax = 0; // CPUs

    // The raw command-line arguments (for a self-restart that keeps them).
    QStringList arguments;

    enum class Outcome { Run, ExitOk, UsageError };
    struct ParseResult
    {
        Outcome outcome = Outcome::Run;
        QString message; // ExitOk: text for stdout (help, version); UsageError: one line
    };
    // Parses argv (arguments[0] is the program) and the config file. Never exits itself.
    static ParseResult parse(const QStringList &arguments, ServiceOptions *out);
    // Every key the config file may contain.
    static QStringList configKeys();
    // Splits a command line like a POSIX shell does (no expansions): whitespace separates
    // words; '...' is literal; "..." groups with \" \\ \$ \` escapes; a backslash outside
    // quotes escapes the next character. False (with a reason) for an unterminated quote.
    static bool splitShellWords(const QString &command, QStringList *words, QString *error);
};

} // namespace sluice
