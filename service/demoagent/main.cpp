// sluice-demo-agent: the default Sluice agent. Reads the whole message on stdin, then streams
// a reply word by word over about 3 s on stdout (each chunk flushed) and exits 0.
// SIGTERM (an interrupted turn, a stop): exits at once with 143 (128 + 15), like a shell.
#include <QCoreApplication>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace {

void onTerm(int)
{
    // Async-signal-safe: no Qt, no stdio buffers.
#ifdef Q_OS_UNIX
    const char msg[] = "sluice-demo-agent: interrupted\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)ignored;
#endif
    std::_Exit(143);
}

QByteArray readAllStdin()
{
    QByteArray data;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0)
        data.append(buffer, qsizetype(n));
    return data;
}

} // namespace

int main(int argc, char *argv[])
{
    std::signal(SIGTERM, onTerm); // SIGTERM exists on every platform's C library
    std::signal(SIGINT, onTerm);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluice-demo-agent"));

    // Reading stdin to its end is the one blocking step: the service writes the message and
    // closes the pipe right away.
    const QString message = QString::fromUtf8(readAllStdin()).simplified();
    const QString session = qEnvironmentVariable("SLUICE_SESSION", QStringLiteral("(none)"));
    std::fprintf(stderr, "sluice-demo-agent: turn %s, session %s, %d bytes in\n",
                 qPrintable(qEnvironmentVariable("SLUICE_TURN_ID")), qPrintable(session),
                 int(message.toUtf8().size()));

    QStringList words = QStringLiteral("Sluice demo agent here. You said:").split(QLatin1Char(' '));
    const QStringList said = message.isEmpty() ? QStringList{QStringLiteral("(nothing)")}
                                               : message.split(QLatin1Char(' '));
    for (const QString &w : said.mid(0, 40))
        words << w;
    if (said.size() > 40)
        words << QStringLiteral("...");
    words << QStringLiteral("-") << QStringLiteral("done.");

    const int totalMs = 3000;
    const int stepMs = qMax(10, totalMs / int(words.size()));
    int index = 0;
    QTimer timer;
    timer.setInterval(stepMs);
    QObject::connect(&timer, &QTimer::timeout, &app, [&] {
        if (index >= words.size()) {
            std::fputs("\n", stdout);
            std::fflush(stdout);
            timer.stop();
            QCoreApplication::exit(0);
            return;
        }
        QByteArray chunk = index > 0 ? QByteArray(" ") : QByteArray();
        chunk += words.at(index).toUtf8();
        ++index;
        std::fwrite(chunk.constData(), 1, size_t(chunk.size()), stdout);
        std::fflush(stdout);
    });
    timer.start();
    return QCoreApplication::exec();
}
