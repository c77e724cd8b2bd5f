#pragma once
#include <QString>
#include <memory>

class QLockFile;

namespace sluice {

// One sluiced per HOME: HOME/gateway.lock held for the whole process lifetime.
// Unix: an flock(2) on the open file. The kernel drops it when the holder dies, so a lock left
// by a SIGKILLed process never blocks a start, and it belongs to the open file, not the
// process: a hand-off restart passes the descriptor to the successor, which then holds the
// same lock without a moment in which nobody does. The file names the holder (pid, name,
// host: the QLockFile layout `sluicectl doctor` reads).
// Windows: QLockFile (pid + process-name check; never stale by age).
class InstanceLock
{
public:
    explicit InstanceLock(const QString &path);
    ~InstanceLock();

    enum class Result { Acquired, HeldByOther, Error };
    // Waits up to waitMs for a live holder (it may be exiting).
    Result acquire(int waitMs);
    // Takes over the lock a predecessor handed down as an inherited descriptor.
    Result adopt(int descriptor);
    void release();

    // The descriptor a successor inherits (Unix; -1 when not held).
    int descriptor() const { return m_fd; }

    qint64 holderPid() const { return m_holderPid; } // after HeldByOther
    QString errorString() const { return m_error; }
    QString path() const { return m_path; }

private:
    bool writeHolder();

    QString m_path;
    int m_fd = -1;
    std::unique_ptr<QLockFile> m_lock; // Windows
    qint64 m_holderPid = -1;
    QString m_error;
};

} // namespace sluice
