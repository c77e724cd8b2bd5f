#pragma once
#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

class QFileSystemWatcher;
class QTimer;

namespace sluice {

// Watches named files in one folder (HOME) for appearing, changing and vanishing.
// QFileSystemWatcher loses a file's watch when the file is replaced by rename or removed,
// so it watches the FOLDER and filters by name. An idle service must not wake up: the periodic
// re-check (default 1 s) runs only when the folder cannot be watched. Used for the drain
// marker and the planned-stop marker.
class HomeWatcher : public QObject
{
    Q_OBJECT
public:
    explicit HomeWatcher(const QString &folder, QObject *parent = nullptr);

    void addFile(const QString &fileName); // a name inside the folder
    QString folder() const { return m_folder; }
    void setRecheckInterval(int ms);
    // Watches by notification; falls back to the periodic re-check (and says so in the log)
    // when the folder cannot be watched.
    void start();

Q_SIGNALS:
    // The file appeared, vanished or changed (size/mtime), by notification or re-check.
    void changed(const QString &fileName);

private:
    struct Seen
    {
        bool exists = false;
        qint64 size = -1;
        QDateTime mtime;
        bool operator==(const Seen &o) const
        {
            return exists == o.exists && size == o.size && mtime == o.mtime;
        }
    };
    void check(bool periodic);
    void watchPresentFiles();
    Seen stat(const QString &fileName) const;

    QString m_folder;
    QStringList m_files;
    QHash<QString, Seen> m_seen;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace sluice
