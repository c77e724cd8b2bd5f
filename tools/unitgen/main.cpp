// sluice-unitgen BINDIR OUTDIR: writes the systemd units the package ships, from the same
// generator `sluicectl service install` uses, so a packaged unit and an installed one never
// disagree (docs/service-managers.md):
//   OUTDIR/user/sluiced.service    the user unit (the user's default HOME)
//   OUTDIR/system/sluiced.service  the system unit (the dedicated user, /var/lib/sluice)
//   OUTDIR/sysusers/sluice.conf    the sysusers.d entry that creates that user
// A build tool, run at install time with the real prefix; it is not installed.
#include "supervisor/unitgenerator.h"

#include "sluice/atomicjson.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

using sluice::UnitGenerator;

namespace {
bool write(const QString &path, const QString &content)
{
    QString error;
    if (QDir().mkpath(QFileInfo(path).absolutePath()) &&
        sluice::writeFileAtomically(path, content.toUtf8(), &error))
        return true;
    std::fprintf(stderr, "sluice-unitgen: cannot write %s: %s\n", qPrintable(path),
                 qPrintable(error));
    return false;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: sluice-unitgen BINDIR OUTDIR\n");
        return 2;
    }
    const QDir bin(args.at(0));
    const QDir out(args.at(1));
    UnitGenerator::Config c;
    c.platform = UnitGenerator::Platform::Systemd;
    c.sluiced = bin.filePath(QStringLiteral("sluiced"));
    c.sluicectl = bin.filePath(QStringLiteral("sluicectl"));
    const QString user = UnitGenerator::systemdUnit(c);

    c.system = true;
    c.home = UnitGenerator::systemHome();
    c.runAsUser = QString::fromLatin1(UnitGenerator::SystemUser);
    c.stateDirectory = QString::fromLatin1(UnitGenerator::SystemUser);
    const QString system = UnitGenerator::systemdUnit(c);

    const QString unit = QString::fromLatin1(UnitGenerator::SystemdUnitName);
    const bool ok =
        write(out.filePath(QStringLiteral("user/") + unit), user) &&
        write(out.filePath(QStringLiteral("system/") + unit), system) &&
        write(out.filePath(QStringLiteral("sysusers/sluice.conf")),
              QStringLiteral("# The user sluiced.service runs as (docs/service-managers.md).\n") +
                  UnitGenerator::sysusersLine() + QLatin1Char('\n'));
    return ok ? 0 : 1;
}
