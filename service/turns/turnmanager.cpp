#include "turns/turnmanager.h"

#include "turns/containment.h"
#include "turns/sessionstore.h"
#include "turns/turnprocess.h"
#include "turns/turnslogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QStandardPaths>
#include <QTimer>

namespace sluice {

namespace {
constexpr int RecentTurnsKept = 1000; // finished turns answered from memory; older: state.db
} // namespace

struct TurnManager::Live
{
    TurnInfo info;
    QHash<QString, QString> extraEnv;
    TurnProcess *process = nullptr;
};

TurnManager::TurnManager(const Config &config, SessionStore *store, Containment *containment,
                         QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
    , m_containment(containment)
{}

TurnManager::~TurnManager()
{
    // The stop sequence has interrupted everything; anything left is killed deliberately.
    killEverything();
    qDeleteAll(m_live);
}

QString TurnManager::resolveProgram() const
{
    if (m_config.agentCommand.isEmpty())
        return {};
    const QString program = m_config.agentCommand.constFirst();
    if (program.contains(QLatin1Char('/')))
        return program;
    // The default agent lies beside sluiced in the build tree and the macOS bundle, and in
    // libexec/sluice of the installed tree (found relative to sluiced, so any prefix works);
    // prefer those copies over PATH. findExecutable adds ".exe" on Windows.
    const QString binDir = QCoreApplication::applicationDirPath();
    const QString bundled = QStandardPaths::findExecutable(
        program, {binDir, QDir::cleanPath(binDir + QStringLiteral("/" SLUICE_LIBEXEC_RELATIVE))});
    if (!bundled.isEmpty())
        return bundled;
    const QString found = QStandardPaths::findExecutable(program);
    return found.isEmpty() ? program : found;
}

QString TurnManager::program() const
{
    return resolveProgram();
}

QString TurnManager::submit(const QString &session, const QString &text,
                            const SubmitOptions &options)
{
    auto *live = new Live;
    live->info.id = TurnInfo::newId();
    live->info.session = session;
    live->info.text = text;
    live->info.internal = options.internal;
    live->info.clientId = options.clientId;
    live->info.createdAt = QDateTime::currentDateTimeUtc();
    live->extraEnv = options.extraEnv;
    if (m_store && !m_store->recordQueued(live->info, options.idempotencyKey)) {
        qCWarning(lcTurns).noquote()
            << "turn for session" << session << "refused: it cannot be stored";
        delete live;
        return QString();
    }
    m_live.insert(live->info.id, live);
    m_queue.append(live->info.id);
    qCInfo(lcTurns).noquote() << QStringLiteral("turn %1 queued for session %2%3")
                                     .arg(live->info.id, session,
                                          options.internal ? QStringLiteral(" (internal)")
                                                           : QString());
    Q_EMIT turnStateChanged(live->info.id, session, live->info.state);
    schedule();
    return live->info.id;
}

void TurnManager::schedule()
{
    if (m_hold || m_stopping)
        return;
    for (int i = 0; i < m_queue.size() && m_runningBySession.size() < m_config.maxConcurrent;) {
        const QString id = m_queue.at(i);
        Live *live = m_live.value(id);
        if (!live) {
            m_queue.removeAt(i);
            continue;
        }
        if (m_runningBySession.contains(live->info.session) ||
            m_heldElsewhere.contains(live->info.session)) {
            ++i; // its session is busy: FIFO per session, others may pass
            continue;
        }
        m_queue.removeAt(i);
        startTurn(id);
    }
}

void TurnManager::setSessionHeldElsewhere(const QString &session, bool held)
{
    if (held) {
        m_heldElsewhere.insert(session);
    } else if (m_heldElsewhere.remove(session)) {
        schedule();
    }
}

void TurnManager::setState(Live &live, TurnState state)
{
    if (live.info.state == state)
        return;
    live.info.state = state;
    Q_EMIT turnStateChanged(live.info.id, live.info.session, state);
}

void TurnManager::startTurn(const QString &id)
{
    Live *live = m_live.value(id);
    if (!live)
        return;
    m_runningBySession.insert(live->info.session, id);
    live->info.startedAt = QDateTime::currentDateTimeUtc();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLUICE_SESSION"), live->info.session);
    env.insert(QStringLiteral("SLUICE_TURN_ID"), live->info.id);
    env.insert(QStringLiteral("SLUICE_HOME"), m_config.home);
    env.remove(QStringLiteral("SLUICE_RESUME"));
    // The unit lets any of its processes notify systemd (NotifyAccess=all, for a hand-off
    // restart's successor): an agent must not be able to.
    for (const char *name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"})
        env.remove(QLatin1String(name));
    for (auto it = live->extraEnv.cbegin(); it != live->extraEnv.cend(); ++it)
        env.insert(it.key(), it.value());

    auto *process = new TurnProcess(id, m_config.interruptGraceMs, m_config.agentDefaults,
                                    m_containment->createContainer(id, nullptr), this);
    live->process = process;
    m_trees.append(process);

    connect(process, &TurnProcess::started, this, [this, id](qint64 pid) {
        if (Live *l = m_live.value(id))
            l->info.pid = pid;
    });
    connect(process, &TurnProcess::exited, this, [this, id, process](int code, bool crashed) {
        Live *l = m_live.value(id);
        if (!l)
            return;
        l->info.output = process->output();
        l->info.truncated = process->truncated();
        l->info.usage = process->usage();
        l->info.failureReason = process->limitReason();
        if (!l->info.failureReason.isEmpty())
            finishTurn(id, TurnState::Failed, crashed ? std::nullopt : std::optional<int>(code));
        else if (process->wasInterrupted())
            finishTurn(id, TurnState::Interrupted,
                       crashed ? std::nullopt : std::optional<int>(code));
        else if (!crashed && code == 0)
            finishTurn(id, TurnState::Done, 0);
        else
            finishTurn(id, TurnState::Failed, crashed ? std::nullopt : std::optional<int>(code));
    });
    connect(process, &TurnProcess::outputArrived, this,
            [this, id](OutputStream stream, const QByteArray &data) {
                Q_EMIT turnOutput(id, stream, data);
            });
    connect(process, &TurnProcess::failedToStart, this, [this, id](const QString &error) {
        if (Live *l = m_live.value(id)) {
            l->info.output = QStringLiteral("agent failed to start: %1").arg(error).toUtf8();
            finishTurn(id, TurnState::Failed, std::nullopt);
        }
    });
    connect(process, &TurnProcess::treeGone, this, [this, process] {
        m_trees.removeAll(process);
        process->deleteLater();
        checkAllStopped();
    });

    const QString program = resolveProgram();
    setState(*live, TurnState::Running);
    process->start(program, m_config.agentCommand.mid(1), env, live->info.text.toUtf8());
    // A start failure may already have finished (and freed) the turn inside start().
    live = m_live.value(id);
    if (!live)
        return;
    if (process->pid() > 0) {
        live->info.pid = process->pid();
        qCInfo(lcTurns).noquote() << QStringLiteral("turn %1 running as pid %2 (%3)")
                                         .arg(id)
                                         .arg(process->pid())
                                         .arg(program);
    }
    if (m_store)
        m_store->recordStarted(live->info);
    Q_EMIT runningCountChanged(m_runningBySession.size());
    Q_EMIT agentsChanged();
}

void TurnManager::finishTurn(const QString &id, TurnState state, std::optional<int> exitCode)
{
    Live *live = m_live.take(id);
    if (!live)
        return;
    const bool wasRunning = m_runningBySession.value(live->info.session) == id;
    if (wasRunning)
        m_runningBySession.remove(live->info.session);
    m_queue.removeAll(id);
    live->info.exitCode = exitCode;
    live->info.finishedAt = QDateTime::currentDateTimeUtc();
    if (live->process) {
        live->info.output = live->process->output();
        live->info.truncated = live->process->truncated();
    }
    live->info.state = state;
    ++m_outcomes[state];
    if (m_store)
        m_store->recordFinished(live->info);
    qCInfo(lcTurns).noquote() << QStringLiteral("turn %1 %2, exit code %3")
                                     .arg(id, wireName(state),
                                          exitCode ? QString::number(*exitCode)
                                                   : QStringLiteral("none"));

    TurnInfo finished = live->info;
    finished.clientId = 0;
    m_recent.insert(id, finished);
    m_recentOrder.append(id);
    while (m_recentOrder.size() > RecentTurnsKept)
        m_recent.remove(m_recentOrder.takeFirst());
    delete live;

    Q_EMIT turnStateChanged(id, finished.session, state);
    if (wasRunning) {
        Q_EMIT runningCountChanged(m_runningBySession.size());
        Q_EMIT agentsChanged();
    }
    schedule();
    checkAllStopped();
}

QString TurnManager::storeError() const
{
    return m_store ? m_store->lastError() : QString();
}

QString TurnManager::turnForKey(const QString &idempotencyKey) const
{
    return m_store ? m_store->turnForKey(idempotencyKey, SessionStore::IdempotencyWindowS)
                   : QString();
}

std::optional<TurnInfo> TurnManager::turn(const QString &id) const
{
    if (const Live *live = m_live.value(id)) {
        TurnInfo t = live->info;
        if (live->process) {
            t.output = live->process->output();
            t.truncated = live->process->truncated();
        }
        return t;
    }
    if (m_recent.contains(id))
        return m_recent.value(id);
    if (m_store)
        return m_store->loadTurn(id);
    return std::nullopt;
}

QList<TurnInfo> TurnManager::runningTurns() const
{
    QList<TurnInfo> result;
    for (const Live *live : m_live) {
        if (live->info.state == TurnState::Running)
            result << live->info;
    }
    std::sort(result.begin(), result.end(),
              [](const TurnInfo &a, const TurnInfo &b) { return a.startedAt < b.startedAt; });
    return result;
}

QList<TurnInfo> TurnManager::queuedTurns() const
{
    QList<TurnInfo> result;
    for (const QString &id : m_queue) {
        if (const Live *live = m_live.value(id))
            result << live->info;
    }
    return result;
}

int TurnManager::runningCount() const
{
    return m_runningBySession.size();
}

int TurnManager::queuedCount() const
{
    return m_queue.size();
}

int TurnManager::liveTreeCount() const
{
    return m_trees.size();
}

QJsonArray TurnManager::agentsJson(Usage withUsage) const
{
    QJsonArray array;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<TurnInfo> running = runningTurns();
    for (const TurnInfo &t : running) {
        QJsonObject agent = t.toAgentJson(now);
        const Live *live = m_live.value(t.id);
        if (withUsage == Usage::With) {
            const TurnUsage usage = live && live->process ? live->process->usage() : TurnUsage();
            agent.insert(QStringLiteral("usage"), usage.toJson());
        }
        array.append(agent);
    }
    return array;
}

QJsonArray TurnManager::recentTurnsJson(const QString &session, std::optional<TurnState> state,
                                        int limit) const
{
    constexpr int PreviewChars = 200;
    // Queue positions: 1 = the next to run in its session.
    QHash<QString, int> position;
    QHash<QString, int> perSession;
    for (const QString &id : m_queue) {
        if (const Live *live = m_live.value(id))
            position.insert(id, ++perSession[live->info.session]);
    }
    QList<TurnInfo> rows = m_store ? m_store->listTurns(session, state, limit) : QList<TurnInfo>();
    // What is live or recent in memory is newer than the row (output so far, a state the
    // store may not have taken yet).
    for (TurnInfo &t : rows) {
        if (std::optional<TurnInfo> current =
                m_live.contains(t.id) || m_recent.contains(t.id) ? turn(t.id) : std::nullopt)
            t = *current;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray array;
    for (const TurnInfo &t : std::as_const(rows)) {
        if (state && t.state != *state)
            continue;
        QJsonObject o = t.toJson();
        o.remove(QStringLiteral("output"));
        o.remove(QStringLiteral("truncated"));
        o.remove(QStringLiteral("usage"));
        o.remove(QStringLiteral("internal"));
        const QDateTime end = t.finishedAt.isValid() ? t.finishedAt : now;
        o.insert(QStringLiteral("duration_s"),
                 t.startedAt.isValid() ? QJsonValue(double(t.startedAt.msecsTo(end)) / 1000.0)
                                       : QJsonValue());
        o.insert(QStringLiteral("preview"), QString::fromUtf8(t.output).left(PreviewChars));
        if (position.contains(t.id))
            o.insert(QStringLiteral("queue_position"), position.value(t.id));
        array.append(o);
    }
    return array;
}

int TurnManager::interruptTurn(const QString &id, const QString &reason, Interruption by)
{
    if (by == Interruption::ByOperator && m_store && m_live.contains(id))
        m_store->setResumePending(QString(), id, false);
    Live *live = m_live.value(id);
    if (!live)
        return turn(id) ? 0 : -1;
    live->info.interruptReason = reason;
    if (live->info.state == TurnState::Queued) {
        finishTurn(id, TurnState::Interrupted, std::nullopt);
        return 1;
    }
    if (live->process && !live->process->wasInterrupted()) {
        qCInfo(lcTurns).noquote() << QStringLiteral("interrupting turn %1: %2").arg(id, reason);
        live->process->interrupt();
        return 1;
    }
    return 0;
}

int TurnManager::interruptSession(const QString &session, const QString &reason, Interruption by)
{
    QStringList ids;
    for (const Live *live : std::as_const(m_live)) {
        if (live->info.session == session)
            ids << live->info.id;
    }
    int count = 0;
    for (const QString &id : std::as_const(ids))
        count += qMax(0, interruptTurn(id, reason, by));
    return count;
}

void TurnManager::holdQueue(bool hold)
{
    m_hold = hold;
    if (!hold)
        schedule();
}

void TurnManager::interruptAll(const QString &reason)
{
    m_stopping = true;
    const QStringList ids = m_live.keys();
    for (const QString &id : ids)
        interruptTurn(id, reason);
    // Trees whose agent already exited but that still have leftovers are being cleaned up.
    for (TurnProcess *p : std::as_const(m_trees))
        p->interrupt();
    QTimer::singleShot(0, this, &TurnManager::checkAllStopped);
}

void TurnManager::checkAllStopped()
{
    if (m_stopping && m_trees.isEmpty() && m_runningBySession.isEmpty())
        Q_EMIT allStopped();
}

void TurnManager::killEverything()
{
    // m_trees also holds the trees of ended turns whose leftovers are not gone yet.
    for (TurnProcess *p : std::as_const(m_trees))
        p->killTree();
}

} // namespace sluice
