#include "lifecycle/homewatcher.h"

#include "lifecycle/lifecyclelogging.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace sluice {

HomeWatcher::HomeWatcher(const QString &folder, QObject *parent)
    : QObject(parent)
    , m_folder(QDir(folder).absolutePath())
    , m_watcher(new QFileSystemWatcher(this))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { check(false); });
    // A watched file is only ever the folder; kept for filesystems that report files.
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { check(false); });
    connect(m_timer, &QTimer::timeout, this, [this] { check(true); });
}

void HomeWatcher::addFile(const QString &fileName)
{
    if (m_files.contains(fileName))
        return;
    m_files << fileName;
    m_seen.insert(fileName, stat(fileName));
}

void HomeWatcher::setRecheckInterval(int ms)
{
    m_timer->setInterval(ms);
}

void HomeWatcher::start()
{
    watchPresentFiles();
    if (m_watcher->directories().contains(m_folder) || m_watcher->addPath(m_folder))
        return;
    qCWarning(lcWatch).noquote() << "cannot watch" << m_folder << "- relying on a re-check every"
                                 << m_timer->interval() << "ms";
    m_timer->start();
}

HomeWatcher::Seen HomeWatcher::stat(const QString &fileName) const
{
    Seen s;
    const QFileInfo info(m_folder + QLatin1Char('/') + fileName);
    if (info.exists()) {
        s.exists = true;
        s.size = info.size();
        s.mtime = info.lastModified();
    }
    return s;
}

void HomeWatcher::watchPresentFiles()
{
    // The folder's watch sees files appear, vanish and be replaced by rename; a file written
    // in place (echo > marker) changes only the file, so present files are watched too (a
    // watch goes with its file: re-added on every check).
    const QStringList watched = m_watcher->files();
    for (const QString &name : std::as_const(m_files)) {
        const QString path = m_folder + QLatin1Char('/') + name;
        if (!watched.contains(path) && QFileInfo::exists(path))
            m_watcher->addPath(path);
    }
}

void HomeWatcher::check(bool periodic)
{
    watchPresentFiles();
    for (const QString &name : std::as_const(m_files)) {
        const Seen now = stat(name);
        if (now == m_seen.value(name))
            continue;
        m_seen.insert(name, now);
        qCDebug(lcWatch).noquote()
            << QStringLiteral("%1 %2 (%3)")
                   .arg(name, now.exists ? QStringLiteral("present") : QStringLiteral("absent"),
                        periodic ? QStringLiteral("re-check") : QStringLiteral("notification"));
        Q_EMIT changed(name);
    }
}

} // namespace sluice
