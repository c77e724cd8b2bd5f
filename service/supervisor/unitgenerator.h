#pragma once
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

namespace sluice {

// Generates the service-manager definition `sluicectl service install` writes (docs/reference.md
// §9): a systemd unit, a launchd LaunchAgent/LaunchDaemon plist or a Windows scheduled task, plus
// the commands that register / unregister it. Pure: no file or process I/O here, so the same
// content is produced for install, for the drift check and for --dry-run.
class UnitGenerator
{
public:
    enum class Platform { Systemd, Launchd, WindowsTask };

    struct Config
    {
        Platform platform = hostPlatform();
        QString home;      // absolute HOME; empty = sluiced's default (the packaged user unit)
        QString sluiced;   // absolute path of sluiced
        QString sluicectl; // absolute path of sluicectl
        qint64 drainTimeoutS = 30;
        qint64 interruptGraceS = 5;
        bool passTimeouts = false; // put --drain-timeout/--interrupt-grace on the command line
        bool system = false;       // system-wide unit instead of the user's
        QString runAsUser;         // systemd --system only: User= (empty = root)
        // systemd --system only: StateDirectory=/CacheDirectory= name. Set for the dedicated
        // user's unit, whose HOME is /var/lib/<name> (systemHome()).
        QString stateDirectory;
        // systemd only: a sluiced.socket unit holds the listening sockets (socket activation);
        // the service is started by the first connection and serves on what it is given.
        bool socketActivation = false;
        QString socketPath; // ListenStream= of the local socket (sluiced's path for HOME)
        QString httpListen; // ListenStream= of the HTTP API, "127.0.0.1:47470"; empty: none
    };

    static Platform hostPlatform();
    static QString platformName(Platform p); // "systemd", "launchd", "windows"
    static std::optional<Platform> platformFromName(const QString &name);

    static constexpr char SystemdUnitName[] = "sluiced.service";
    static constexpr char SystemdSocketName[] = "sluiced.socket";
    static constexpr char LaunchdLabel[] = "io.sluice.sluiced";
    static constexpr char WindowsTaskName[] = "Sluice\\sluiced";
    // The system unit's dedicated user and its folders: HOME /var/lib/sluice, the agents' work
    // area /var/cache/sluice (docs/service-managers.md).
    static constexpr char SystemUser[] = "sluice";
    static QString systemHome();
    static QString systemCacheDir();
    // The sysusers.d line that creates SystemUser (packaged, and run by `service install`).
    static QString sysusersLine();

    // Where the definition goes. $SLUICE_UNIT_DIR (a documented override, used by the tests)
    // replaces the folder. systemd: ~/.config/systemd/user (XDG_CONFIG_HOME) or
    // /etc/systemd/system; launchd: ~/Library/LaunchAgents or /Library/LaunchDaemons;
    // Windows: HOME (the task XML is imported by schtasks).
    static QString definitionPath(const Config &c);
    static QString generate(const Config &c);

    static QString systemdUnit(const Config &c);
    // The sluiced.socket of a socket-activated systemd unit, beside definitionPath().
    static QString systemdSocket(const Config &c);
    static QString socketDefinitionPath(const Config &c);
    static QString launchdPlist(const Config &c);
    static QString windowsTaskXml(const Config &c);

    // argv lists run after writing / before removing the definition.
    static QVector<QStringList> installCommands(const Config &c, const QString &path);
    static QVector<QStringList> uninstallCommands(const Config &c, const QString &path);

    // Reads --drain-timeout / --interrupt-grace back from an installed definition, so status
    // and doctor regenerate with the values it was installed with.
    static void timeoutsFromDefinition(const QString &content, qint64 *drainTimeoutS,
                                       qint64 *interruptGraceS, bool *passTimeouts);

    // systemd command-line quoting of one argument (spaces, quotes, backslashes and %).
    static QString systemdQuote(const QString &arg);
};

} // namespace sluice
