// Windows paths of the contract that are not turns: the named pipe is for the current user only
// (reference §10), a process life is named by pid + creation time (§2, §5), and the tray's
// login item is the HKCU Run value (§13).
#include "core/autostart.h"
#include "ingress/commanddispatcher.h"
#include "ingress/ipc/ipcserver.h"
#include "winetest.h"

#include "sluice/processidentity.h"

#include <QProcess>
#include <QSettings>
#include <QTest>
#include <QUuid>

#include <aclapi.h>
#include <windows.h>

#include <memory>

using namespace sluice;

namespace {

class NullDispatcher : public CommandDispatcher
{
public:
    void dispatch(const QString &, const QJsonObject &, const RequestContext &, Done done) override
    {
        done(CommandResult::success());
    }
};

// The SID of the user this process runs as (heap copy inside the returned buffer).
QByteArray currentUserSid()
{
    HANDLE token = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token))
        return {};
    DWORD size = 0;
    ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    QByteArray buffer(int(size), '\0');
    const bool ok = ::GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    ::CloseHandle(token);
    if (!ok)
        return {};
    const auto *user = reinterpret_cast<const TOKEN_USER *>(buffer.constData());
    const DWORD length = ::GetLengthSid(user->User.Sid);
    return QByteArray(reinterpret_cast<const char *>(user->User.Sid), int(length));
}

constexpr char RunKey[] = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run";

} // namespace

class TestWinPlatform : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namedPipeIsForTheCurrentUserOnly()
    {
        NullDispatcher dispatcher;
        IpcServer server(&dispatcher, IpcServer::Limits{});
        const QString name =
            QStringLiteral("sluice-test-") + QUuid::createUuid().toString(QUuid::Id128);
        QString error;
        QVERIFY2(server.listen(name, false, &error), qPrintable(error));

        const std::wstring path = (QStringLiteral("\\\\.\\pipe\\") + name).toStdWString();
        HANDLE pipe = ::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE | READ_CONTROL, 0,
                                    nullptr, OPEN_EXISTING, 0, nullptr);
        QVERIFY2(pipe != INVALID_HANDLE_VALUE, qPrintable(QString::number(::GetLastError())));
        PACL dacl = nullptr;
        PSECURITY_DESCRIPTOR sd = nullptr;
        const DWORD rc = ::GetSecurityInfo(pipe, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION,
                                           nullptr, nullptr, &dacl, nullptr, &sd);
        ::CloseHandle(pipe);
        QCOMPARE(rc, DWORD(ERROR_SUCCESS));
        std::unique_ptr<void, decltype(&::LocalFree)> sdGuard(sd, &::LocalFree);
        if (!dacl && test::runningUnderWine())
            QSKIP("Wine keeps no access list on a named pipe (GetSecurityInfo returns none)");
        QVERIFY2(dacl, "no DACL: everyone may connect");

        const QByteArray user = currentUserSid();
        QVERIFY(!user.isEmpty());
        int allowed = 0;
        for (DWORD i = 0; i < dacl->AceCount; ++i) {
            void *ace = nullptr;
            QVERIFY(::GetAce(dacl, i, &ace));
            const auto *header = static_cast<const ACE_HEADER *>(ace);
            if (header->AceType != ACCESS_ALLOWED_ACE_TYPE)
                continue;
            PSID sid = &static_cast<ACCESS_ALLOWED_ACE *>(ace)->SidStart;
            QVERIFY2(::EqualSid(sid, PSID(user.data())), "the pipe lets another account in");
            ++allowed;
        }
        QVERIFY(allowed > 0);
    }

    void startTimeNamesOneProcessLife()
    {
        const qint64 self = ProcessIdentity::currentStartTime();
        QVERIFY(self > 0);
        QCOMPARE(ProcessIdentity::startTime(ProcessIdentity::currentPid()), self);
        // µs since 1970: this process started within the last day.
        const qint64 nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
        QVERIFY(self <= nowUs && self > nowUs - 86400LL * 1000000);
        QProcess child;
        child.start(QStringLiteral(SLUICE_BIN_DIR "/sluice-test-tree.exe"),
                    {QStringLiteral("sleep")});
        QVERIFY(child.waitForStarted(30000));
        const qint64 childStart = ProcessIdentity::startTime(child.processId());
        QVERIFY(childStart >= self);
        QVERIFY(ProcessIdentity::isSameProcess(child.processId(), childStart));
        QVERIFY(!ProcessIdentity::isSameProcess(child.processId(), childStart + 1));
        child.kill();
        QVERIFY(child.waitForFinished(30000));
        QVERIFY(!ProcessIdentity::isAlive(child.processId()));
    }

    void autostartIsTheRunValue()
    {
        QSettings run(QString::fromLatin1(RunKey), QSettings::NativeFormat);
        const QVariant before = run.value(QStringLiteral("SluiceTray"));
        const QString exe = QStringLiteral("C:/Program Files/Sluice/sluice-tray.exe");
        QString message;
        QVERIFY2(gui::Autostart::install(exe, QStringLiteral("C:/Users/a b/sluice"), &message),
                 qPrintable(message));
        run.sync();
        const QString value = run.value(QStringLiteral("SluiceTray")).toString();
        QVERIFY2(value.startsWith(QStringLiteral("\"C:\\Program Files\\Sluice\\sluice-tray.exe\"")),
                 qPrintable(value));
        QVERIFY2(value.contains(QStringLiteral("--home")), qPrintable(value));
        QVERIFY2(value.contains(QStringLiteral("\"C:\\Users\\a b\\sluice\"")), qPrintable(value));
        QVERIFY2(gui::Autostart::remove(&message), qPrintable(message));
        run.sync();
        QVERIFY(!run.contains(QStringLiteral("SluiceTray")));
        if (before.isValid()) // a real login item of this user: put it back
            run.setValue(QStringLiteral("SluiceTray"), before);
    }
};

QTEST_GUILESS_MAIN(TestWinPlatform)
#include "tst_winplatform.moc"
