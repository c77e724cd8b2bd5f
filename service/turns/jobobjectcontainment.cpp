#include "turns/jobobjectcontainment.h"

#include "turns/turnslogging.h"

#include <QTimer>

// windows.h first (its own block, so include sorting keeps it first): tlhelp32.h uses its
// types without including it.
#include <windows.h>

#include <tlhelp32.h>

namespace sluice {

namespace {

constexpr int EmptyCheckMs = 100;

class JobObjectContainer : public TurnContainer
{
public:
    JobObjectContainer(const TurnLimits &limits, QObject *parent)
        : TurnContainer(parent)
        , m_limits(limits)
        , m_timer(new QTimer(this))
    {
        m_timer->setInterval(EmptyCheckMs);
        connect(m_timer, &QTimer::timeout, this, [this] { check(); });
    }

    ~JobObjectContainer() override
    {
        if (m_job)
            CloseHandle(m_job); // KILL_ON_JOB_CLOSE: whatever is left goes now
    }

    bool prepare(QString *error) override
    {
        m_job = CreateJobObjectW(nullptr, nullptr);
        if (!m_job) {
            *error = QStringLiteral("CreateJobObject failed (%1)").arg(GetLastError());
            return false;
        }
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION info = {};
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if (m_limits.memoryMaxBytes > 0) {
            info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
            info.JobMemoryLimit = SIZE_T(m_limits.memoryMaxBytes);
        }
        if (m_limits.pidsMax > 0) {
            info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
            info.BasicLimitInformation.ActiveProcessLimit = DWORD(m_limits.pidsMax);
        }
        if (!SetInformationJobObject(m_job, JobObjectExtendedLimitInformation, &info,
                                     sizeof info)) {
            *error = QStringLiteral("SetInformationJobObject failed (%1)").arg(GetLastError());
            return false;
        }
        if (m_limits.cpuMax > 0) {
            JOBOBJECT_CPU_RATE_CONTROL_INFORMATION cpu = {};
            cpu.ControlFlags =
                JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
            SYSTEM_INFO si;
            GetSystemInfo(&si);
            // CpuRate: 1/100 of a percent of the whole machine.
            cpu.CpuRate =
                DWORD(qBound(1.0, m_limits.cpuMax / si.dwNumberOfProcessors * 10000.0, 10000.0));
            SetInformationJobObject(m_job, JobObjectCpuRateControlInformation, &cpu, sizeof cpu);
        }
        return true;
    }

    std::function<void()> childSetup() override { return {}; }

    void attach(qint64 leaderPid) override
    {
        m_pid = leaderPid;
        HANDLE process =
            OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, DWORD(leaderPid));
        if (!process || !AssignProcessToJobObject(m_job, process))
            qCWarning(lcTurns) << "cannot put pid" << leaderPid << "into its job object"
                               << GetLastError();
        if (process)
            CloseHandle(process);
        resumeThreads(DWORD(leaderPid)); // it was created suspended (TurnProcess)
    }

    void leaderExited() override
    {
        m_leaderExited = true;
        check();
        if (!m_emptied)
            m_timer->start();
    }

    void terminate() override
    {
        // The console equivalent of SIGTERM for the agent's process group; a GUI agent
        // has none and is ended by TerminateJobObject after the grace.
        GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, DWORD(m_pid));
    }

    void kill() override
    {
        if (m_job)
            TerminateJobObject(m_job, 1);
    }

    bool isEmpty() const override { return activeProcesses() == 0; }

    TurnUsage usage() const override
    {
        TurnUsage u;
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION basic = {};
        if (QueryInformationJobObject(m_job, JobObjectBasicAccountingInformation, &basic,
                                      sizeof basic, nullptr)) {
            u.cpuSeconds = double(basic.TotalUserTime.QuadPart + basic.TotalKernelTime.QuadPart) /
                           1e7; // 100 ns units
            u.processes = basic.ActiveProcesses;
        }
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext = {};
        if (QueryInformationJobObject(m_job, JobObjectExtendedLimitInformation, &ext, sizeof ext,
                                      nullptr))
            u.memoryPeakBytes = qint64(ext.PeakJobMemoryUsed);
        return u;
    }

    QString limitReason() const override
    {
        // A job memory limit makes allocations fail rather than killing; report it if hit.
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext = {};
        if (m_limits.memoryMaxBytes > 0 &&
            QueryInformationJobObject(m_job, JobObjectExtendedLimitInformation, &ext, sizeof ext,
                                      nullptr) &&
            qint64(ext.PeakJobMemoryUsed) >= m_limits.memoryMaxBytes)
            return QStringLiteral("memory limit reached (--turn-memory-max)");
        return QString();
    }

private:
    qint64 activeProcesses() const
    {
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION basic = {};
        if (!m_job || !QueryInformationJobObject(m_job, JobObjectBasicAccountingInformation, &basic,
                                                 sizeof basic, nullptr))
            return 0;
        return basic.ActiveProcesses;
    }

    static void resumeThreads(DWORD pid)
    {
        HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        if (snapshot == INVALID_HANDLE_VALUE)
            return;
        THREADENTRY32 entry = {};
        entry.dwSize = sizeof entry;
        for (BOOL ok = Thread32First(snapshot, &entry); ok; ok = Thread32Next(snapshot, &entry)) {
            if (entry.th32OwnerProcessID != pid)
                continue;
            if (HANDLE thread = OpenThread(THREAD_SUSPEND_RESUME, FALSE, entry.th32ThreadID)) {
                ResumeThread(thread);
                CloseHandle(thread);
            }
        }
        CloseHandle(snapshot);
    }

    void check()
    {
        if (m_emptied || !m_leaderExited || !isEmpty())
            return;
        m_emptied = true;
        m_timer->stop();
        QTimer::singleShot(0, this, [this] { Q_EMIT emptied(); });
    }

    TurnLimits m_limits;
    QTimer *m_timer;
    HANDLE m_job = nullptr;
    qint64 m_pid = -1;
    bool m_leaderExited = false;
    bool m_emptied = false;
};

} // namespace

std::unique_ptr<JobObjectContainment> JobObjectContainment::create(const TurnLimits &limits,
                                                                   QString *)
{
    auto c = std::make_unique<JobObjectContainment>();
    c->m_limits = limits;
    return c;
}

QJsonObject JobObjectContainment::describe() const
{
    return QJsonObject{{QStringLiteral("mode"), QStringLiteral("job-object")}};
}

TurnContainer *JobObjectContainment::createContainer(const QString &, QObject *parent)
{
    return new JobObjectContainer(m_limits, parent);
}

} // namespace sluice
