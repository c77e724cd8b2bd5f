#include "turns/sessionstore.h"

#include "sluice/logging.h"
#include "turns/turnslogging.h"

#include "sluice/atomicjson.h"

#include <QAtomicInt>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace sluice {

namespace {
QAtomicInt g_connectionCounter;

QVariant iso(const QDateTime &t)
{
    return t.isValid() ? QVariant(toIsoUtc(t)) : QVariant(QMetaType(QMetaType::QString));
}

QDateTime fromIso(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}
} // namespace

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
    , m_connection(QStringLiteral("sluice-store-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{}

SessionStore::~SessionStore()
{
    close();
}

bool SessionStore::open(const QString &path, QString *error, bool *corrupt)
{
    if (corrupt)
        *corrupt = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
            qCCritical(lcStore).noquote()
                << QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text());
            return false;
        }
    }
    const QStringList schema = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS sessions ("
                       " name TEXT PRIMARY KEY, created_at TEXT, last_turn_at TEXT,"
                       " resume_pending INTEGER NOT NULL DEFAULT 0)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS turns ("
                       " id TEXT PRIMARY KEY, session TEXT NOT NULL, text TEXT,"
                       " state TEXT NOT NULL, exit_code INTEGER, output BLOB,"
                       " truncated INTEGER NOT NULL DEFAULT 0, created_at TEXT,"
                       " started_at TEXT, finished_at TEXT,"
                       " internal INTEGER NOT NULL DEFAULT 0,"
                       " resume_pending INTEGER NOT NULL DEFAULT 0)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS turns_session ON turns(session)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS idempotency ("
                       " key TEXT PRIMARY KEY, turn_id TEXT NOT NULL, created_at TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency(created_at)"),
    };
    for (const QString &sql : schema) {
        if (!exec(sql)) {
            // SQLITE_CORRUPT (11), SQLITE_NOTADB (26): the file, not the disk, is the problem.
            const bool unreadable = m_lastNativeError == QLatin1String("11") ||
                                    m_lastNativeError == QLatin1String("26");
            if (corrupt)
                *corrupt = unreadable;
            if (error)
                *error = unreadable ? QStringLiteral("%1 is not a readable database").arg(path)
                                    : QStringLiteral("cannot prepare the schema of %1").arg(path);
            close();
            return false;
        }
    }
    // Prompts and outputs are private, also in a file an older version left 0644.
    for (const char *suffix : {"", "-wal", "-shm"}) {
        QFile f(path + QLatin1String(suffix));
        if (f.exists())
            f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    qCInfo(lcStore).noquote() << "opened" << path;
    return true;
}

void SessionStore::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    qCInfo(lcStore).noquote() << "closed";
}

bool SessionStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) &&
           QSqlDatabase::database(m_connection, false).isOpen();
}

bool SessionStore::exec(const QString &sql, const QVariantList &binds) const
{
    if (!isOpen())
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.prepare(sql)) {
        m_lastNativeError = q.lastError().nativeErrorCode();
        m_lastErrorText = q.lastError().text();
        qCWarning(lcStore).noquote() << "prepare failed:" << q.lastError().text() << "-" << sql;
        return false;
    }
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec()) {
        m_lastNativeError = q.lastError().nativeErrorCode();
        m_lastErrorText = q.lastError().text();
        qCWarning(lcStore).noquote() << "query failed:" << q.lastError().text() << "-" << sql;
        return false;
    }
    return true;
}

QString SessionStore::moveAside(const QString &path, QString *error)
{
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    const QString target = path + QStringLiteral(".corrupt-") + stamp;
    if (!QFile::rename(path, target)) {
        if (error)
            *error = QStringLiteral("cannot move %1 aside").arg(path);
        return QString();
    }
    for (const char *suffix : {"-wal", "-shm"}) {
        if (QFile::exists(path + QLatin1String(suffix)))
            QFile::rename(path + QLatin1String(suffix), target + QLatin1String(suffix));
    }
    return target;
}

int SessionStore::recoverUnfinished()
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE turns SET state='interrupted', finished_at=? "
                             "WHERE state IN ('queued','running')"));
    q.addBindValue(isoUtcNow());
    if (!q.exec())
        return 0;
    const int n = q.numRowsAffected();
    if (n > 0)
        qCInfo(lcStore).noquote()
            << QStringLiteral("%1 left unfinished by the previous process marked interrupted")
                   .arg(counted(n, "turn", "turns"));
    return n;
}

QStringList SessionStore::unfinishedTurnIds() const
{
    QStringList ids;
    if (!isOpen())
        return ids;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SELECT id FROM turns WHERE state IN ('queued','running')"))) {
        while (q.next())
            ids << q.value(0).toString();
    }
    return ids;
}

int SessionStore::recoverTurns(const QStringList &ids)
{
    int n = 0;
    const QString now = isoUtcNow();
    for (const QString &id : ids) {
        QSqlQuery q(QSqlDatabase::database(m_connection, false));
        q.prepare(QStringLiteral("UPDATE turns SET state='interrupted', finished_at=? "
                                 "WHERE id=? AND state IN ('queued','running')"));
        q.addBindValue(now);
        q.addBindValue(id);
        if (q.exec())
            n += q.numRowsAffected();
    }
    if (n > 0)
        qCInfo(lcStore) << n << "turns the predecessor left unfinished marked interrupted";
    return n;
}

bool SessionStore::recordQueued(const TurnInfo &t, const QString &idempotencyKey)
{
    if (!isOpen())
        return false;
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    // All or nothing: a turn id is only ever handed out for a turn that is in the store.
    if (!db.transaction()) {
        m_lastErrorText = db.lastError().text();
        return false;
    }
    bool ok =
        exec(QStringLiteral("INSERT INTO sessions(name, created_at, last_turn_at) VALUES(?,?,?) "
                            "ON CONFLICT(name) DO UPDATE SET last_turn_at=excluded.last_turn_at"),
             {t.session, iso(t.createdAt), iso(t.createdAt)}) &&
        exec(QStringLiteral("INSERT OR REPLACE INTO turns(id, session, text, state, created_at, "
                            "internal, resume_pending) VALUES(?,?,?,?,?,?,?)"),
             {t.id, t.session, t.text, wireName(t.state), iso(t.createdAt), int(t.internal),
              int(t.resumePending)});
    if (ok && !idempotencyKey.isEmpty()) {
        // Keys are remembered for a day; older ones go as new ones come.
        ok = exec(QStringLiteral("DELETE FROM idempotency WHERE created_at < ?"),
                  {toIsoUtc(t.createdAt.addSecs(-IdempotencyWindowS))}) &&
             exec(QStringLiteral("INSERT OR REPLACE INTO idempotency(key, turn_id, created_at) "
                                 "VALUES(?,?,?)"),
                  {idempotencyKey, t.id, iso(t.createdAt)});
    }
    if (!ok || !db.commit()) {
        if (ok)
            m_lastErrorText = db.lastError().text();
        db.rollback();
        Q_EMIT writeFailed(QStringLiteral("state.db"), m_lastErrorText);
        return false;
    }
    return true;
}

QString SessionStore::turnForKey(const QString &idempotencyKey, qint64 maxAgeS) const
{
    if (!isOpen() || idempotencyKey.isEmpty())
        return QString();
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT turn_id FROM idempotency WHERE key=? AND created_at >= ?"));
    q.addBindValue(idempotencyKey);
    q.addBindValue(toIsoUtc(QDateTime::currentDateTimeUtc().addSecs(-maxAgeS)));
    if (!q.exec() || !q.next())
        return QString();
    return q.value(0).toString();
}

bool SessionStore::recordStarted(const TurnInfo &t)
{
    if (exec(QStringLiteral("UPDATE turns SET state=?, started_at=? WHERE id=?"),
             {wireName(t.state), iso(t.startedAt), t.id}))
        return true;
    Q_EMIT writeFailed(QStringLiteral("state.db"), m_lastErrorText);
    return false; // the finished record writes the start time too
}

bool SessionStore::writeFinished(const TurnInfo &t)
{
    return exec(QStringLiteral("UPDATE turns SET state=?, exit_code=?, output=?, truncated=?, "
                               "started_at=?, finished_at=? WHERE id=?"),
                {wireName(t.state),
                 t.exitCode ? QVariant(*t.exitCode) : QVariant(QMetaType(QMetaType::Int)), t.output,
                 int(t.truncated), iso(t.startedAt), iso(t.finishedAt), t.id});
}

bool SessionStore::recordFinished(const TurnInfo &t)
{
    if (m_pending.isEmpty() && writeFinished(t))
        return true;
    m_pending.insert(t.id, t); // in order of arrival is not needed: each row is its own
    Q_EMIT writeFailed(QStringLiteral("state.db"), m_lastErrorText);
    return false;
}

bool SessionStore::writePending(QString *error)
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (!writeFinished(it.value())) {
            if (error)
                *error = QStringLiteral("state.db: %1").arg(m_lastErrorText);
            return false;
        }
        it = m_pending.erase(it);
    }
    // Nothing pending still has to prove a write goes through.
    if (!exec(QStringLiteral("CREATE TABLE IF NOT EXISTS probe (at TEXT)")) ||
        !exec(QStringLiteral("DELETE FROM probe")) ||
        !exec(QStringLiteral("INSERT INTO probe(at) VALUES(?)"), {isoUtcNow()})) {
        if (error)
            *error = QStringLiteral("state.db: %1").arg(m_lastErrorText);
        return false;
    }
    return true;
}

namespace {
// The columns turnFromRow() reads, in its order; %1 is the output column expression.
const char TurnColumns[] = "id, session, text, state, exit_code, %1, truncated, created_at, "
                           "started_at, finished_at, internal, resume_pending";

TurnInfo turnFromRow(const QSqlQuery &q)
{
    TurnInfo t;
    t.id = q.value(0).toString();
    t.session = q.value(1).toString();
    t.text = q.value(2).toString();
    fromWireName(q.value(3).toString(), &t.state);
    if (!q.value(4).isNull())
        t.exitCode = q.value(4).toInt();
    t.output = q.value(5).toByteArray();
    t.truncated = q.value(6).toInt() != 0;
    t.createdAt = fromIso(q.value(7));
    t.startedAt = fromIso(q.value(8));
    t.finishedAt = fromIso(q.value(9));
    t.internal = q.value(10).toInt() != 0;
    t.resumePending = q.value(11).toInt() != 0;
    return t;
}
} // namespace

std::optional<TurnInfo> SessionStore::loadTurn(const QString &id) const
{
    if (m_pending.contains(id))
        return m_pending.value(id);
    if (!isOpen())
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM turns WHERE id=?")
                  .arg(QString::fromLatin1(TurnColumns).arg(QStringLiteral("output"))));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return turnFromRow(q);
}

QList<TurnInfo> SessionStore::listTurns(const QString &session, std::optional<TurnState> state,
                                        int limit) const
{
    QList<TurnInfo> result;
    if (!isOpen())
        return result;
    QStringList where;
    QVariantList binds;
    if (!session.isEmpty()) {
        where << QStringLiteral("session=?");
        binds << session;
    }
    if (state) {
        where << QStringLiteral("state=?");
        binds << wireName(*state);
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(
        QStringLiteral("SELECT %1 FROM turns %2 ORDER BY created_at DESC, rowid DESC LIMIT ?")
            .arg(QString::fromLatin1(TurnColumns).arg(QStringLiteral("substr(output, 1, 800)")),
                 where.isEmpty() ? QString()
                                 : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND "))));
    for (const QVariant &b : std::as_const(binds))
        q.addBindValue(b);
    q.addBindValue(limit);
    if (!q.exec())
        return result;
    while (q.next()) {
        TurnInfo t = turnFromRow(q);
        if (m_pending.contains(t.id)) // a result not written yet is the truth
            t = m_pending.value(t.id);
        result << t;
    }
    return result;
}

void SessionStore::setResumePending(const QString &session, const QString &turnId, bool pending)
{
    if (!turnId.isEmpty())
        exec(QStringLiteral("UPDATE turns SET resume_pending=? WHERE id=?"),
             {int(pending), turnId});
    if (!session.isEmpty())
        exec(QStringLiteral("UPDATE sessions SET resume_pending=? WHERE name=?"),
             {int(pending), session});
}

QList<TurnInfo> SessionStore::resumePendingTurns() const
{
    QList<TurnInfo> result;
    if (!isOpen())
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT id FROM turns WHERE resume_pending=1 "
                               "ORDER BY created_at, rowid")))
        return result;
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    for (const QString &id : std::as_const(ids)) {
        if (auto t = loadTurn(id))
            result << *t;
    }
    return result;
}

int SessionStore::clearResumeOfFinished()
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.exec(QStringLiteral("UPDATE turns SET resume_pending=0 WHERE resume_pending=1 "
                          "AND state IN ('done','failed')"));
    const int n = q.numRowsAffected();
    exec(QStringLiteral("UPDATE sessions SET resume_pending=0 WHERE resume_pending=1 AND NOT "
                        "EXISTS (SELECT 1 FROM turns WHERE turns.session=sessions.name AND "
                        "turns.resume_pending=1)"));
    return qMax(0, n);
}

} // namespace sluice
