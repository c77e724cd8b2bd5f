#include "turns/cgroupcontainment.h"

#include "sluice/logging.h"
#include "turns/turnslogging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sluice {

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data, QString *error = nullptr)
{
    // One write(2): cgroup files take one value per write.
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const ssize_t n = ::write(fd, data.constData(), size_t(data.size()));
    const int saved = errno;
    ::close(fd);
    if (n != data.size()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(strerror(saved)));
        return false;
    }
    return true;
}

// "key value" lines (cgroup.events, cpu.stat, memory.events).
std::optional<qint64> keyedValue(const QByteArray &text, const QByteArray &key)
{
    const QList<QByteArray> lines = text.split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() == 2 && f.at(0) == key) {
            bool ok = false;
            const qint64 v = f.at(1).toLongLong(&ok);
            if (ok)
                return v;
        }
    }
    return std::nullopt;
}

// Kills what is left in a cgroup and removes it with everything below it, waiting (bounded)
// for the kill to take effect: cgroup.kill is asynchronous and rmdir fails while populated.
bool removeCgroup(const QString &dir)
{
    const QStringList children = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &c : children)
        removeCgroup(dir + QLatin1Char('/') + c);
    if (!QFileInfo::exists(dir))
        return true;
    const auto busy = [&dir] {
        return keyedValue(readFile(dir + QLatin1String("/cgroup.events")), "populated")
                   .value_or(0) != 0;
    };
    if (busy()) {
        writeFile(dir + QLatin1String("/cgroup.kill"), "1");
        for (int i = 0; i < 200 && busy(); ++i)
            ::usleep(10000);
    }
    for (int i = 0; i < 100; ++i) {
        if (QDir().rmdir(dir) || !QFileInfo::exists(dir))
            return true;
        ::usleep(10000); // the last task is still on its way out
    }
    qCWarning(lcTurns).noquote() << "cannot remove cgroup" << dir;
    return false;
}

std::optional<qint64> singleValue(const QString &path)
{
    const QByteArray text = readFile(path).trimmed();
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

QList<qint64> procs(const QString &cgroup)
{
    QList<qint64> pids;
    const QList<QByteArray> lines = readFile(cgroup + QLatin1String("/cgroup.procs")).split('\n');
    for (const QByteArray &l : lines) {
        bool ok = false;
        const qint64 pid = l.trimmed().toLongLong(&ok);
        if (ok && pid > 0)
            pids << pid;
    }
    return pids;
}

bool populated(const QString &cgroup)
{
    return keyedValue(readFile(cgroup + QLatin1String("/cgroup.events")), "populated")
               .value_or(0) != 0;
}

QString formatBytes(qint64 bytes)
{
    if (bytes % (1024 * 1024) == 0)
        return QStringLiteral("%1 MiB").arg(bytes / (1024 * 1024));
    return QStringLiteral("%1 bytes").arg(bytes);
}

class CgroupContainer : public TurnContainer
{
public:
    CgroupContainer(const QString &path, const TurnLimits &limits, QFileSystemWatcher *events,
                    QObject *parent)
        : TurnContainer(parent)
        , m_path(path)
        , m_limits(limits)
        , m_events(events)
    {}

    ~CgroupContainer() override
    {
        if (m_procsFd >= 0)
            ::close(m_procsFd);
        if (m_created) {
            if (m_events)
                m_events->removePath(eventsFile());
            removeCgroup(m_path);
        }
    }

    bool prepare(QString *error) override
    {
        if (!QDir().mkdir(m_path) && !QDir(m_path).exists()) {
            *error = QStringLiteral("cannot create cgroup %1: %2")
                         .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        m_created = true;
        if (m_limits.memoryMaxBytes > 0 &&
            !writeFile(m_path + QLatin1String("/memory.max"),
                       QByteArray::number(m_limits.memoryMaxBytes), error))
            return false;
        if (m_limits.memoryMaxBytes > 0)
            writeFile(m_path + QLatin1String("/memory.swap.max"), "0"); // the limit is real
        if (m_limits.pidsMax > 0 && !writeFile(m_path + QLatin1String("/pids.max"),
                                               QByteArray::number(m_limits.pidsMax), error))
            return false;
        if (m_limits.cpuMax > 0) {
            const qint64 period = 100000;
            const qint64 quota = qMax<qint64>(1000, qint64(m_limits.cpuMax * period));
            if (!writeFile(m_path + QLatin1String("/cpu.max"),
                           QByteArray::number(quota) + ' ' + QByteArray::number(period), error))
                return false;
        }
        m_procsFd = ::open(QFile::encodeName(m_path + QLatin1String("/cgroup.procs")).constData(),
                           O_WRONLY | O_CLOEXEC);
        if (m_procsFd < 0) {
            *error = QStringLiteral("cannot open %1/cgroup.procs: %2")
                         .arg(m_path, QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        // Without a watch (the inotify limit is reached) emptiness is checked every 100 ms.
        if (!m_events || !m_events->addPath(eventsFile())) {
            auto *poll = new QTimer(this);
            poll->setInterval(100);
            connect(poll, &QTimer::timeout, this, [this, poll] {
                check();
                if (m_emptied)
                    poll->stop();
            });
            poll->start();
        }
        return true;
    }

    std::function<void()> childSetup() override
    {
        const int fd = m_procsFd;
        return [fd] {
            // "0" moves the writer itself: the agent is in its cgroup before its first
            // instruction, so every descendant is born inside.
            if (::write(fd, "0", 1) != 1) {
                static const char msg[] = "sluiced: cannot enter the turn's cgroup\n";
                [[maybe_unused]] const ssize_t ignored = ::write(2, msg, sizeof msg - 1);
                ::_exit(125);
            }
        };
    }

    void attach(qint64) override
    {
        if (m_procsFd >= 0) {
            ::close(m_procsFd);
            m_procsFd = -1;
        }
    }

    void leaderExited() override
    {
        m_leaderExited = true;
        check();
    }

    void terminate() override
    {
        const QList<qint64> pids = procs(m_path);
        for (qint64 pid : pids)
            ::kill(pid_t(pid), SIGTERM);
        qCInfo(lcTurns).noquote() << QStringLiteral("SIGTERM to the %1 of %2")
                                         .arg(counted(pids.size(), "process", "processes"), m_path);
    }

    void kill() override { writeFile(m_path + QLatin1String("/cgroup.kill"), "1"); }

    bool isEmpty() const override { return !populated(m_path); }

    TurnUsage usage() const override
    {
        TurnUsage u;
        if (const auto usec =
                keyedValue(readFile(m_path + QLatin1String("/cpu.stat")), "usage_usec"))
            u.cpuSeconds = double(*usec) / 1e6;
        u.memoryBytes = singleValue(m_path + QLatin1String("/memory.current"));
        u.memoryPeakBytes = singleValue(m_path + QLatin1String("/memory.peak"));
        u.processes = singleValue(m_path + QLatin1String("/pids.current"));
        if (!u.processes)
            u.processes = procs(m_path).size();
        return u;
    }

    QString limitReason() const override
    {
        if (m_limits.memoryMaxBytes > 0 &&
            keyedValue(readFile(m_path + QLatin1String("/memory.events")), "oom_kill").value_or(0) >
                0)
            return QStringLiteral("killed: memory limit of %1 reached (--turn-memory-max)")
                .arg(formatBytes(m_limits.memoryMaxBytes));
        return QString();
    }

    // cgroup.events changed (or the leader exited): emptied() once nothing is left.
    void check()
    {
        if (m_emptied || !m_leaderExited || populated(m_path))
            return;
        m_emptied = true;
        // From the event loop: the caller may be deep inside QProcess's finished handling.
        QTimer::singleShot(0, this, [this] { Q_EMIT emptied(); });
    }

    QString eventsFile() const { return m_path + QLatin1String("/cgroup.events"); }

private:
    QString m_path;
    TurnLimits m_limits;
    QPointer<QFileSystemWatcher> m_events;
    int m_procsFd = -1;
    bool m_created = false;
    bool m_leaderExited = false;
    bool m_emptied = false;
};

} // namespace

QString CgroupContainment::mountPoint(const QByteArray &mountinfo)
{
    // "36 35 0:30 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw"
    const QList<QByteArray> lines = mountinfo.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype dash = line.indexOf(" - ");
        if (dash < 0)
            continue;
        const QList<QByteArray> after = line.mid(dash + 3).split(' ');
        if (after.value(0) != "cgroup2")
            continue;
        const QList<QByteArray> before = line.left(dash).split(' ');
        if (before.size() >= 5 && before.at(3) == "/")
            return QString::fromLocal8Bit(before.at(4));
    }
    return QString();
}

QString CgroupContainment::ownPath(const QByteArray &procSelfCgroup)
{
    const QList<QByteArray> lines = procSelfCgroup.split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("0::"))
            return QString::fromLocal8Bit(line.mid(3).trimmed());
    }
    return QString();
}

std::unique_ptr<CgroupContainment> CgroupContainment::create(const TurnLimits &limits,
                                                             QString *error)
{
    std::unique_ptr<CgroupContainment> c(new CgroupContainment);
    if (!c->setUp(limits, error))
        return nullptr;
    return c;
}

std::unique_ptr<CgroupContainment>
CgroupContainment::adopt(const QJsonObject &state, const TurnLimits &limits, QString *error)
{
    std::unique_ptr<CgroupContainment> c(new CgroupContainment);
    c->m_limits = limits;
    c->m_original = state.value(QStringLiteral("original")).toString();
    c->m_base = state.value(QStringLiteral("base")).toString();
    c->m_ownBase = state.value(QStringLiteral("own_base")).toBool();
    const QJsonArray controllers = state.value(QStringLiteral("controllers")).toArray();
    for (const QJsonValue &v : controllers)
        c->m_controllers << v.toString();
    c->m_shared = true; // until the takeover: a successor that fails must leave it all
    const QString service = c->m_base + QLatin1String("/service");
    if (c->m_base.isEmpty() || !QFileInfo::exists(c->m_base + QLatin1String("/turns")) ||
        !writeFile(service + QLatin1String("/cgroup.procs"), QByteArray::number(::getpid()),
                   error)) {
        if (error->isEmpty())
            *error = QStringLiteral("the cgroup %1 handed over is not usable").arg(c->m_base);
        c->m_released = true;
        return nullptr;
    }
    const auto missing = [&](bool wanted, const char *controller) {
        return wanted && !c->m_controllers.contains(QLatin1String(controller));
    };
    if (missing(limits.memoryMaxBytes > 0, "memory") || missing(limits.pidsMax > 0, "pids") ||
        missing(limits.cpuMax > 0, "cpu")) {
        *error =
            QStringLiteral("the limits asked for need controllers %1 does not have").arg(c->m_base);
        c->m_released = true;
        return nullptr;
    }
    c->m_events = new QFileSystemWatcher;
    qCInfo(lcTurns).noquote() << QStringLiteral("containment: cgroup %1, shared with the "
                                                "predecessor")
                                     .arg(c->m_base);
    return c;
}

QJsonObject CgroupContainment::handOverState() const
{
    return QJsonObject{{QStringLiteral("mode"), QStringLiteral("cgroup")},
                       {QStringLiteral("original"), m_original},
                       {QStringLiteral("base"), m_base},
                       {QStringLiteral("own_base"), m_ownBase},
                       {QStringLiteral("controllers"), QJsonArray::fromStringList(m_controllers)}};
}

void CgroupContainment::killForeignTurn(const QString &turnId, qint64)
{
    const QString dir = m_base + QLatin1String("/turns/") + turnId;
    if (QFileInfo::exists(dir) && removeCgroup(dir))
        qCInfo(lcTurns).noquote() << "removed the cgroup the predecessor's turn left:" << dir;
}

bool CgroupContainment::setUp(const TurnLimits &limits, QString *error)
{
    m_limits = limits;
    const QString mount = mountPoint(readFile(QStringLiteral("/proc/self/mountinfo")));
    if (mount.isEmpty()) {
        *error = QStringLiteral("no cgroup v2 file system is mounted");
        return false;
    }
    const QString own = ownPath(readFile(QStringLiteral("/proc/self/cgroup")));
    if (own.isEmpty()) {
        *error = QStringLiteral("this process is in no cgroup v2 group");
        return false;
    }
    m_original = QDir::cleanPath(mount + own);
    if (::access(QFile::encodeName(m_original).constData(), W_OK) != 0) {
        *error = QStringLiteral("cgroup %1 is not writable (run as root, or under systemd with "
                                "Delegate=yes)")
                     .arg(m_original);
        return false;
    }
    // A cgroup that holds only us was delegated to us: use it. A shared one (a root shell,
    // a test runner) gets a child folder of ours, so instances never meet.
    const qint64 self = ::getpid();
    // Started from inside another sluiced's leaf (by a process that kept it): not ours to
    // use; start from the cgroup above that sluiced.
    if (QFileInfo(m_original).fileName() == QLatin1String("service") &&
        QFileInfo(QFileInfo(m_original).path()).fileName().startsWith(QLatin1String("sluiced-")))
        m_original = QFileInfo(QFileInfo(m_original).path()).path();
    const QList<qint64> members = procs(m_original);
    const bool delegated = m_original != QDir::cleanPath(mount) && members == QList<qint64>{self};
    sweepLeftovers(m_original);
    if (delegated) {
        m_base = m_original;
    } else {
        m_base = m_original + QStringLiteral("/sluiced-%1").arg(self);
        if (QFileInfo::exists(m_base))
            removeCgroup(m_base); // an earlier process with our pid left it behind
        if (!QDir().mkdir(m_base)) {
            *error = QStringLiteral("cannot create cgroup %1: %2")
                         .arg(m_base, QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        m_ownBase = true;
    }
    const QString service = m_base + QLatin1String("/service");
    if ((!QDir().mkdir(service) && !QDir(service).exists()) ||
        !writeFile(service + QLatin1String("/cgroup.procs"), QByteArray::number(self), error)) {
        if (error->isEmpty())
            *error = QStringLiteral("cannot create cgroup %1").arg(service);
        release();
        return false;
    }
    if (!QFileInfo::exists(service + QLatin1String("/cgroup.kill"))) {
        *error = QStringLiteral("this kernel has no cgroup.kill (Linux 5.14 or later needed)");
        release();
        return false;
    }
    // Accounting and limits need controllers in the turns' parents; take what the host offers.
    const QStringList offered =
        QString::fromLatin1(readFile(m_base + QLatin1String("/cgroup.controllers")))
            .simplified()
            .split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString turns = m_base + QLatin1String("/turns");
    QDir().mkdir(turns);
    for (const char *name : {"cpu", "memory", "pids"}) {
        const QString c = QLatin1String(name);
        if (!offered.contains(c))
            continue;
        const QByteArray enable = "+" + QByteArray(name);
        if (writeFile(m_base + QLatin1String("/cgroup.subtree_control"), enable) &&
            writeFile(turns + QLatin1String("/cgroup.subtree_control"), enable))
            m_controllers << c;
    }
    const auto need = [&](bool wanted, const char *controller, const char *option) {
        if (wanted && !m_controllers.contains(QLatin1String(controller))) {
            *error = QStringLiteral("%1 needs the cgroup v2 '%2' controller, which %3 does not "
                                    "offer")
                         .arg(QLatin1String(option), QLatin1String(controller), m_base);
            return false;
        }
        return true;
    };
    if (!need(limits.memoryMaxBytes > 0, "memory", "--turn-memory-max") ||
        !need(limits.pidsMax > 0, "pids", "--turn-pids-max") ||
        !need(limits.cpuMax > 0, "cpu", "--turn-cpu-max")) {
        release();
        return false;
    }
    // One inotify watcher for every turn's cgroup.events (a change there is a file
    // modification event); each container listens for its own file.
    m_events = new QFileSystemWatcher;
    qCInfo(lcTurns).noquote() << QStringLiteral("containment: cgroup %1 (controllers: %2)")
                                     .arg(m_base, m_controllers.isEmpty()
                                                      ? QStringLiteral("none")
                                                      : m_controllers.join(QLatin1Char(' ')));
    return true;
}

void CgroupContainment::sweepLeftovers(const QString &parent)
{
    // A sluiced that was SIGKILLed cannot remove its cgroups, and turns it left may still run
    // there: the next one in the same place kills them and removes the folders. Only folders
    // of processes that are gone: another instance's are its own.
    const QStringList old = QDir(parent).entryList({QStringLiteral("sluiced-*")}, QDir::Dirs);
    for (const QString &name : old) {
        bool ok = false;
        const qint64 owner = name.mid(8).toLongLong(&ok);
        if (!ok || owner == ::getpid() || ::kill(pid_t(owner), 0) == 0 || errno != ESRCH)
            continue;
        // Its creator is gone, but a hand-off successor may live on in it.
        if (!procs(parent + QLatin1Char('/') + name + QLatin1String("/service")).isEmpty())
            continue;
        if (removeCgroup(parent + QLatin1Char('/') + name))
            qCInfo(lcTurns).noquote()
                << "removed the leftover cgroup" << parent + QLatin1Char('/') + name;
    }
}

CgroupContainment::~CgroupContainment()
{
    release();
    delete m_events;
}

QJsonObject CgroupContainment::describe() const
{
    QJsonObject o{{QStringLiteral("mode"), QStringLiteral("cgroup")},
                  {QStringLiteral("cgroup"), m_base},
                  {QStringLiteral("controllers"), QJsonArray::fromStringList(m_controllers)}};
    QJsonObject limits;
    if (m_limits.memoryMaxBytes > 0)
        limits.insert(QStringLiteral("memory_max_bytes"), m_limits.memoryMaxBytes);
    if (m_limits.pidsMax > 0)
        limits.insert(QStringLiteral("pids_max"), m_limits.pidsMax);
    if (m_limits.cpuMax > 0)
        limits.insert(QStringLiteral("cpu_max"), m_limits.cpuMax);
    o.insert(QStringLiteral("limits"), limits);
    return o;
}

TurnContainer *CgroupContainment::createContainer(const QString &turnId, QObject *parent)
{
    auto *c =
        new CgroupContainer(m_base + QLatin1String("/turns/") + turnId, m_limits, m_events, parent);
    {
        QMutexLocker locker(&m_ownMutex);
        m_ownTurns << turnId;
    }
    QObject::connect(c, &QObject::destroyed, [this, turnId] {
        QMutexLocker locker(&m_ownMutex);
        m_ownTurns.removeOne(turnId);
    });
    const QString events = c->eventsFile();
    QObject::connect(m_events, &QFileSystemWatcher::fileChanged, c,
                     [c, events](const QString &path) {
                         if (path == events)
                             c->check();
                     });
    return c;
}

void CgroupContainment::killAllNow()
{
    const QString turns = m_base + QLatin1String("/turns");
    QMutexLocker locker(&m_ownMutex);
    for (const QString &t : std::as_const(m_ownTurns)) {
        const QString kill = turns + QLatin1Char('/') + t + QLatin1String("/cgroup.kill");
        if (QFileInfo::exists(kill))
            writeFile(kill, "1");
    }
}

void CgroupContainment::release()
{
    if (m_released || m_base.isEmpty())
        return;
    m_released = true;
    if (m_shared) {
        // The other generation lives on in m_base: only our own turns' cgroups go (each
        // normally removed already when its tree ended).
        const QString turns = m_base + QLatin1String("/turns/");
        QMutexLocker locker(&m_ownMutex);
        for (const QString &t : std::as_const(m_ownTurns))
            removeCgroup(turns + t);
        return;
    }
    removeCgroup(m_base + QLatin1String("/turns"));
    if (!m_ownBase) {
        // Our delegated cgroup takes processes again only without controllers for children.
        for (const QString &c : std::as_const(m_controllers))
            writeFile(m_base + QLatin1String("/cgroup.subtree_control"), "-" + c.toLatin1());
    }
    writeFile(m_original + QLatin1String("/cgroup.procs"), QByteArray::number(::getpid()));
    // What sluiced started detached (the shutdown diagnostic) is in its leaf too and must
    // outlive it: moved out with it, never killed.
    const QString service = m_base + QLatin1String("/service");
    const QList<qint64> detached = procs(service);
    for (qint64 pid : detached)
        writeFile(m_original + QLatin1String("/cgroup.procs"), QByteArray::number(pid));
    removeCgroup(service);
    if (m_ownBase)
        removeCgroup(m_base);
}

} // namespace sluice
