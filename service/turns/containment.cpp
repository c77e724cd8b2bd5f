#include "turns/containment.h"

#include "turns/turnslogging.h"

#if defined(Q_OS_LINUX)
#include "turns/cgroupcontainment.h"
#endif
#if defined(Q_OS_UNIX)
#include "turns/processgroupcontainment.h"
#endif
#if defined(Q_OS_WIN)
#include "turns/jobobjectcontainment.h"
#endif

namespace sluice {

namespace {
template<typename T> QJsonValue orNull(const std::optional<T> &v)
{
    return v ? QJsonValue(*v) : QJsonValue();
}
} // namespace

QJsonObject TurnUsage::toJson() const
{
    return QJsonObject{{QStringLiteral("cpu_s"), orNull(cpuSeconds)},
                       {QStringLiteral("memory_bytes"), orNull(memoryBytes)},
                       {QStringLiteral("memory_peak_bytes"), orNull(memoryPeakBytes)},
                       {QStringLiteral("processes"), orNull(processes)}};
}

QString Containment::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Auto:
        return QStringLiteral("auto");
    case Mode::Cgroup:
        return QStringLiteral("cgroup");
    case Mode::ProcessGroup:
        return QStringLiteral("process-group");
    case Mode::JobObject:
        return QStringLiteral("job-object");
    }
    return QString();
}

bool Containment::parseMode(const QString &text, Mode *mode)
{
    for (Mode m : {Mode::Auto, Mode::Cgroup, Mode::ProcessGroup, Mode::JobObject}) {
        if (text == modeName(m)) {
            *mode = m;
            return true;
        }
    }
    return false;
}

std::unique_ptr<Containment> Containment::create(Mode requested, const TurnLimits &limits,
                                                 QString *error, const QJsonObject &adopt)
{
#if defined(Q_OS_WIN)
    Q_UNUSED(adopt); // a Job Object is not handed over: the hand-off restart is Unix only
    if (requested != Mode::Auto && requested != Mode::JobObject) {
        *error = QStringLiteral("--containment %1 is not available on Windows (job-object is)")
                     .arg(modeName(requested));
        return nullptr;
    }
    return JobObjectContainment::create(limits, error);
#else
    if (requested == Mode::JobObject) {
        *error = QStringLiteral("--containment job-object exists only on Windows");
        return nullptr;
    }
#if defined(Q_OS_LINUX)
    const bool adoptCgroup =
        adopt.value(QStringLiteral("mode")).toString() == modeName(Mode::Cgroup);
    if ((requested == Mode::Auto || requested == Mode::Cgroup) && adoptCgroup) {
        QString why;
        if (auto cgroup = CgroupContainment::adopt(adopt, limits, &why))
            return cgroup;
        qCWarning(lcTurns).noquote()
            << "cannot share the predecessor's cgroup:" << why << "- setting up one of our own";
    }
    if (requested == Mode::Auto || requested == Mode::Cgroup) {
        QString why;
        if (auto cgroup = CgroupContainment::create(limits, &why))
            return cgroup;
        if (requested == Mode::Cgroup || limits.any()) {
            *error = QStringLiteral("cgroup containment is not available: %1").arg(why);
            return nullptr;
        }
        qCInfo(lcTurns).noquote() << "containment: process groups (no cgroup:" << why + ")";
    }
#else
    if (requested == Mode::Cgroup) {
        *error = QStringLiteral("--containment cgroup needs Linux cgroup v2");
        return nullptr;
    }
#endif
    if (limits.any()) {
        *error = QStringLiteral("--turn-memory-max, --turn-pids-max and --turn-cpu-max need "
                                "cgroup containment");
        return nullptr;
    }
    return std::make_unique<ProcessGroupContainment>();
#endif
}

} // namespace sluice
