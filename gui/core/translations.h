#pragma once
#include <QLocale>

class QCoreApplication;

namespace sluice::gui {

// Installs sluice-tray's translation for the locale (resources/translations, built into the
// program) and Qt's own where it is installed. Without a translation for the locale the
// English plural forms are loaded, so "%n running turns" always reads right. Returns the
// language loaded ("de", or "en" for the fallback).
QString installTranslations(QCoreApplication *app, const QLocale &locale = QLocale());

} // namespace sluice::gui
