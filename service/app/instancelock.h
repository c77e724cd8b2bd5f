#pragma once
#include <QString>
#include <memory>

class QLockFile;

namespace sluice {

// One sluiced per HOME: HOME/gateway.lock held for the whole process lifetime.
// Age never makes the lock stale (setStaleLockTime(0)); only a dead holder does (QLockFile's
// pid + process-name check), so a lock left by a SIGKILLed process never blocks a start,
// while a live holder is waited for briefly (it may be exiting) and then reported by pid.
class InstanceLock
{
public:
    explicit InstanceLock(const QString &path);
    ~InstanceLock();

    enum class Result { Acquired, HeldByOther, Error };
    Result acquire(int waitMs);
    void release();

    qint64 holderPid() const { return m_holderPid; } // after HeldByOther
    QString errorString() const { return m_error; }
    QString path() const { return m_path; }

private:
    QString m_path;
    std::unique_ptr<QLockFile> m_lock;
    qint64 m_holderPid = -1;
    QString m_error;
};

} // namespace sluice
