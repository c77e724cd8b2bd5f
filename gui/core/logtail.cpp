#include "core/logtail.h"

#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace sluice::gui {

// At most this much is read per poll; the rest follows on the next one.
static constexpr qint64 MaxReadBytes = 256 * 1024;
// On the first read only the end of the file matters.
static constexpr qint64 InitialTailBytes = 64 * 1024;

LogTail::LogTail(const QString &path, int maxLines, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_maxLines(maxLines)
    , m_watcher(new QFileSystemWatcher(this))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &LogTail::poll);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &LogTail::poll);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &LogTail::poll);
}

void LogTail::start()
{
    const QString dir = QFileInfo(m_path).absolutePath();
    if (QFileInfo::exists(dir))
        m_watcher->addPath(dir);
    m_timer->start();
    poll();
}

void LogTail::poll()
{
    // Re-arm the watches: a rotation replaces the file, and the folder may appear later.
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!m_watcher->directories().contains(dir) && QFileInfo::exists(dir))
        m_watcher->addPath(dir);
    if (!m_watcher->files().contains(m_path) && QFileInfo::exists(m_path))
        m_watcher->addPath(m_path);

    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly))
        return;
    const qint64 size = f.size();
    bool rotated = false;
    if (m_offset < 0 || size < m_offset) {
        m_offset = qMax<qint64>(0, size - InitialTailBytes);
        m_partial.clear();
        m_lines.clear();
        if (m_offset > 0) {
            // Start at a line boundary.
            f.seek(m_offset);
            const QByteArray skip = f.readLine();
            m_offset += skip.size();
        }
        rotated = true;
    }
    if (size == m_offset && !rotated)
        return;
    f.seek(m_offset);
    const QByteArray data = f.read(qMin(MaxReadBytes, size - m_offset));
    m_offset += data.size();
    m_partial += data;
    const int lastNl = m_partial.lastIndexOf('\n');
    QStringList fresh;
    if (lastNl >= 0) {
        const QByteArray complete = m_partial.left(lastNl);
        m_partial = m_partial.mid(lastNl + 1);
        for (const QByteArray &l : complete.split('\n'))
            fresh << QString::fromUtf8(l.endsWith('\r') ? l.chopped(1) : l);
    }
    if (fresh.size() > m_maxLines)
        fresh = fresh.mid(fresh.size() - m_maxLines);
    m_lines += fresh;
    if (m_lines.size() > m_maxLines)
        m_lines = m_lines.mid(m_lines.size() - m_maxLines);
    if (rotated)
        Q_EMIT reset(m_lines);
    else if (!fresh.isEmpty())
        Q_EMIT appended(fresh);
    if (m_offset < size)
        QTimer::singleShot(0, this, &LogTail::poll); // more to read: continue soon
}

} // namespace sluice::gui
