#pragma once
#include <QString>

namespace sluice {

// Every file name of docs/reference.md §2 in one place.
namespace FileNames {
inline constexpr char Lock[] = "gateway.lock";
inline constexpr char State[] = "gateway_state.json";
inline constexpr char DrainMarker[] = ".drain_request.json";
inline constexpr char PlannedStopMarker[] = ".gateway-planned-stop.json";
inline constexpr char RestartPending[] = ".restart_pending.json";
inline constexpr char CleanShutdown[] = ".clean_shutdown";
inline constexpr char StateDb[] = "state.db";
inline constexpr char ControlToken[] = "control.token";
inline constexpr char Config[] = "sluiced.conf";
inline constexpr char LogsDir[] = "logs";
inline constexpr char RunDir[] = "run"; // holds the default socket (mode 0700)
inline constexpr char ServiceLog[] = "sluiced.log";
inline constexpr char DiagLog[] = "gateway-shutdown-diag.log";
inline constexpr char LastShutdown[] = "last-shutdown.json";
} // namespace FileNames

// Resolves HOME and names every file in it. A value type: cheap to copy, no I/O but
// ensureHome()/defaultSocketPath().
class HomePaths
{
public:
    HomePaths() = default;
    explicit HomePaths(const QString &home); // made absolute and clean

    // --home DIR, else $SLUICE_HOME, else the platform's per-user application data folder
    // (Linux: ~/.local/share/sluice, macOS: ~/Library/Application Support/sluice,
    // Windows: %APPDATA%/sluice).
    static QString resolveHome(const QString &homeOption);
    static HomePaths fromOption(const QString &homeOption)
    {
        return HomePaths(resolveHome(homeOption));
    }

    // Creates HOME and HOME/logs (mode 0700 on Unix for the folders it creates; an existing
    // HOME keeps its mode). False with a message when it cannot.
    bool ensureHome(QString *error = nullptr) const;

    QString home() const { return m_home; }
    QString file(const char *name) const; // HOME/name
    QString lockFile() const;
    QString stateFile() const;
    QString drainMarker() const;
    QString plannedStopMarker() const;
    QString restartPending() const;
    QString cleanShutdown() const;
    QString stateDb() const;
    QString controlToken() const;
    QString configFile() const;
    QString logsDir() const;
    QString serviceLog() const;
    QString diagLog() const;
    QString lastShutdown() const;

    // The local socket the service listens on when --socket is not given.
    // Unix: HOME/run/sluiced.sock when that path is short enough (< 100 bytes), otherwise
    // <tmp>/sluice-<uid>/<hash of HOME>.sock. The folder is created mode 0700.
    // Windows: a pipe name derived from the user and a hash of HOME.
    QString defaultSocketPath() const;

private:
    QString m_home;
};

} // namespace sluice
