#pragma once
#include <QObject>
#include <QString>
#include <QStringList>

class QFileSystemWatcher;
class QTimer;

namespace sluice::gui {

// Follows the end of a text file (HOME/logs/sluiced.log): on start the last maxLines lines, then
// only the bytes appended since. Watches the folder (the file is rotated by rename) with a
// periodic re-check as fallback; each read is bounded, so it never holds the GUI thread long.
class LogTail : public QObject
{
    Q_OBJECT
public:
    explicit LogTail(const QString &path, int maxLines = 200, QObject *parent = nullptr);

    void start();
    void poll(); // reads what is new; public for tests
    QStringList lines() const { return m_lines; }

Q_SIGNALS:
    void reset(const QStringList &lines); // after a start or a rotation: replace everything
    void appended(const QStringList &lines);

private:
    QString m_path;
    int m_maxLines;
    qint64 m_offset = -1; // -1: not read yet
    QByteArray m_partial; // an unfinished last line
    QStringList m_lines;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace sluice::gui
