#include "core/translations.h"

#include "core/guilogging.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QPointer>
#include <QTranslator>

namespace sluice::gui {

QString installTranslations(QCoreApplication *app, const QLocale &locale)
{
    // Replaced on a second call (tests switch languages); gone with an application that ended
    // (sluice-tray parses its options under a QCoreApplication first).
    static QPointer<QTranslator> ours;
    static QPointer<QTranslator> qt;
    for (QPointer<QTranslator> *t : {&ours, &qt}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete t->data();
        }
    }
    ours = new QTranslator(app);
    QString language = locale.name().section(QLatin1Char('_'), 0, 0);
    if (!ours->load(locale, QStringLiteral("sluice"), QStringLiteral("_"),
                    QStringLiteral(":/i18n"))) {
        language = QStringLiteral("en");
        if (!ours->load(QStringLiteral(":/i18n/sluice_en.qm")))
            qCWarning(lcTray) << "no translation built in";
    }
    QCoreApplication::installTranslator(ours);
    qt = new QTranslator(app);
    if (language != QLatin1String("en") &&
        qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    qCDebug(lcTray).noquote() << "language:" << language;
    return language;
}

} // namespace sluice::gui
