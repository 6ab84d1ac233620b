# Український каталог Registrar. Одне повідомлення на кожен текст на екрані.
# Тексти помилок із seed-документів (eHealth) наведено там, де вони є.

## Спільне
choose = — оберіть —
date-hint = РРРР-ММ-ДД
calendar = Календар
cancel = Скасувати
save = Зберегти
none-dash = —
count-persons = { $n ->
    [one] { $n } особа
    [few] { $n } особи
   *[many] { $n } осіб
}
yes = так
no = ні

## Коди seed-документів словами
code-MALE = Чоловіча
code-FEMALE = Жіноча
code-MOBILE = Мобільний
code-LAND_LINE = Стаціонарний
code-REGISTRATION = Адреса реєстрації
code-RESIDENCE = Адреса проживання
code-OTP = Одноразовий код у SMS
code-OFFLINE = Офлайн (документи на рецепції)
code-THIRD_PERSON = Через третю особу
code-NA = Немає
code-PRIMARY = Основна довірена особа
code-SECONDARY = Додаткова довірена особа
code-PASSPORT = Паспорт
code-NATIONAL_ID = ID-картка
code-BIRTH_CERTIFICATE = Свідоцтво про народження
code-BIRTH_CERTIFICATE_FOREIGN = Іноземне свідоцтво про народження
code-COMPLEMENTARY_PROTECTION_CERTIFICATE = Посвідчення особи, яка потребує додаткового захисту
code-REFUGEE_CERTIFICATE = Посвідчення біженця
code-TEMPORARY_CERTIFICATE = Посвідка на тимчасове проживання
code-TEMPORARY_PASSPORT = Тимчасове посвідчення громадянина
code-PERMANENT_RESIDENCE_PERMIT = Посвідка на постійне проживання
code-CONFIDANT_CERTIFICATE = Посвідчення довіреної особи
code-COURT_DECISION = Рішення суду
code-DOCUMENT = Інший документ
code-MEDICAL_LICENSE = Медична ліцензія
code-NPI = NPI
code-DEA = Номер DEA
code-STATE_LICENSE = Державна ліцензія
code-DRIVER_LICENSE = Посвідчення водія
code-PASSPORT_NUMBER = Номер паспорта
code-TAX_ID = РНОКПП
code-MILITARY_ID = Військовий квиток
code-receptionist = Реєстратор
code-reviewer = Рецензент
code-admin = Адміністратор
code-active = активна
code-inactive = неактивна
code-merged = об’єднана

## Вікно, вхід, верхня панель, рядок стану, довідка
app-subtitle = Робоче місце головного реєстру осіб
login-first = У цій базі ще немає облікових записів. Створіть першого адміністратора.
login-sign-in = Увійти
login-user = Ім’я користувача
login-password = Пароль
login-password2 = Повторіть пароль
login-create-admin = Створити адміністратора
login-passwords-differ = Паролі не збігаються.
page-register = Реєстрація
page-search = Пошук
page-review = Перевірка
page-reconciliation = Зіставлення
page-sync = Синхронізація
page-settings = Налаштування
top-help = Довідка (F1)
top-sign-out = Вийти
status-database = База: { $path }
status-user = Користувач: { $name } ({ $role })
status-signed-out = Вхід не виконано
status-persons = Осіб: { $n }
status-sync-no-hub = Синхронізація: хаб не налаштовано
status-sync-no-hub-kept = Синхронізація: хаб не налаштовано; { $n ->
    [one] { $n } зміна зберігається тут
    [few] { $n } зміни зберігаються тут
   *[many] { $n } змін зберігається тут
}
status-sync-up-to-date = Синхронізація: усе надіслано
status-sync-waiting = Синхронізація: { $n ->
    [one] { $n } зміна чекає
    [few] { $n } зміни чекають
   *[many] { $n } змін чекають
}
status-working-copies = Робочі копії: { $n }
status-pending = Можливі збіги: { $n }
status-working = Виконується…
help-title = Клавіатурні скорочення
help-close = Закрити довідку
help-f1 = Показати або сховати цю довідку
help-ctrl-n = Нова порожня форма реєстрації
help-ctrl-f = Пошук осіб
help-tab-keys = Tab / Shift+Tab
help-tab = Наступне / попереднє поле чи кнопка
help-enter-keys = Enter (у полі форми)
help-enter = Наступне поле
help-ctrl-enter = Зареєструвати особу (або зберегти зміни)
help-space-keys = Пробіл або Enter (на кнопці)
help-space = Натиснути її
help-escape = Закрити довідку або випадний список

## Сторінка реєстрації
reg-confidant-chosen = Довірена особа: { $who }
reg-confidant-another = Обрати іншу довірену особу
reg-confidant-find = Знайти довірену особу
reg-confidant-find-hint = ім’я, M-номер або телефон
reg-choose = Обрати { $who }
reg-born-phone = нар. { $born } · { $phone }
reg-no-phone = без телефону
reg-confidant-nobody = Поки нікого не знайдено: введіть більше літер імені, M-номер чи телефон або заповніть поля нижче.
reg-drop-first = Спершу додайте документ, потім перетягніть його скановані сторінки у вікно.
reg-doc-type = { $prefix ->
    [confidant] Документ довіреної особи { $n }: тип
    [relationship] Документ про зв’язок { $n }: тип
   *[own] Документ { $n }: тип
}
reg-doc-number = { $prefix ->
    [confidant] Документ довіреної особи { $n }: номер
    [relationship] Документ про зв’язок { $n }: номер
   *[own] Документ { $n }: номер
}
reg-doc-issued-by = { $prefix ->
    [confidant] Документ довіреної особи { $n }: ким виданий
    [relationship] Документ про зв’язок { $n }: ким виданий
   *[own] Документ { $n }: ким виданий
}
reg-doc-issued-on = { $prefix ->
    [confidant] Документ довіреної особи { $n }: дата видачі
    [relationship] Документ про зв’язок { $n }: дата видачі
   *[own] Документ { $n }: дата видачі
}
reg-doc-expires = { $prefix ->
    [confidant] Документ довіреної особи { $n }: дійсний до
    [relationship] Документ про зв’язок { $n }: дійсний до
   *[own] Документ { $n }: дійсний до
}
reg-doc-remove = { $prefix ->
    [confidant] Видалити документ довіреної особи { $n }
    [relationship] Видалити документ про зв’язок { $n }
   *[own] Видалити документ { $n }
}
reg-doc-add = { $prefix ->
    [confidant] Додати документ довіреної особи
    [relationship] Додати документ про зв’язок
   *[own] Додати документ
}
reg-doc-type-first = спершу оберіть тип
reg-doc-authority = орган, що видав
reg-doc-pattern = Номер: { $words }
reg-scan-stored = { $name } (збережено)
reg-scan-remove = Видалити скан { $name }
reg-scan-attach = Додати скан до документа { $n }…
reg-registered = { $name } зареєстровано під номером { $rid }.
reg-waits = Зміна чекає на рецензента в черзі перевірки.
reg-saved = Збережено.
reg-correct = Виправте поля, позначені знаком !.
reg-linked = Пов’язано з наявною особою { $rid }: усе введене збережено як запис цієї рецепції про неї.
dup-title = Можливі дублікати
dup-help = Перевіряється під час введення: імена, дата народження, телефон та ідентифікатори.
dup-none = Схожих осіб не знайдено.
dup-born = Нар. { $born } · { $rid }
dup-compare = Порівняти поруч
reg-editing = Редагування особи { $seq } (версія { $version }). Зміни реєстраторів чекають на рецензента.
reg-person = Особа
reg-first-name = Ім’я
reg-last-name = Прізвище
reg-middle-name = По батькові
reg-birth-date = Дата народження
reg-gender = Стать
reg-birth-country = Країна народження
reg-birth-settlement = Місце народження
reg-tax-id = РНОКПП
reg-unzr = УНЗР
reg-email = Ел. пошта
reg-no-tax-id = Без РНОКПП
reg-no-tax-id-box = Відмова від РНОКПП
reg-hint-first = напр. Олена
reg-hint-last = напр. Коваленко
reg-hint-optional = необов’язково
reg-hint-country = напр. UA
reg-hint-tax-id = 10 цифр
reg-hint-settlement = місто чи село
reg-phones = Телефони
reg-phone-type = Телефон { $n }: тип
reg-phone-number = Телефон { $n }: номер
reg-phone-remove = Видалити телефон { $n }
reg-phone-add = Додати телефон
reg-addresses = Адреси
reg-address-type = Адреса { $n }: тип
reg-address-street = Адреса { $n }: вулиця
reg-address-house = Адреса { $n }: будинок
reg-address-settlement = Адреса { $n }: населений пункт
reg-address-postal = Адреса { $n }: поштовий індекс
reg-address-country = Адреса { $n }: країна
reg-address-remove = Видалити адресу { $n }
reg-address-add = Додати адресу
reg-documents = Документи
reg-scans-help = Скани: JPEG або PNG, до 10 МБ на сторінку. Файли можна також перетягнути у вікно.
reg-identifiers = Видані ідентифікатори
reg-identifier-type = Ідентифікатор { $n }: тип
reg-identifier-number = Ідентифікатор { $n }: номер
reg-identifier-remove = Видалити ідентифікатор { $n }
reg-identifier-add = Додати ідентифікатор
reg-authentication = Автентифікація
reg-auth-method = Метод автентифікації
reg-otp-phone = Телефон для SMS-коду
reg-third-person = Третя особа
reg-third-person-none = довірена особа, яку ви оберете
reg-confidant = Довірена особа
reg-child = Особі менше { $age }: довірена особа обов’язкова й автентифікується замість неї.
reg-confidant-relation = Роль довіреної особи
reg-confidant-first = Ім’я довіреної особи
reg-confidant-last = Прізвище довіреної особи
reg-confidant-birth = Дата народження довіреної особи
reg-confidant-gender = Стать довіреної особи
reg-confidant-docs = Власні документи довіреної особи
reg-relationship-docs = Документи, що підтверджують зв’язок
reg-uploads = Документи, скани яких вимагають правила
reg-save = Зберегти зміни
reg-submit = Зареєструвати особу
reg-clear = Очистити форму
reg-keys = Enter: наступне поле · Ctrl+Enter: зареєструвати
reg-scans-filter = Скани (JPEG, PNG)
docfmt-cyrillic-pair-six-digits = дві великі кириличні літери й шість цифр, напр. АА123456
docfmt-cyrillic-pair-six-digits-hint = напр. АА123456
docfmt-nine-digits = дев’ять цифр, напр. 123456789
docfmt-nine-digits-hint = 9 цифр, напр. 123456789
docfmt-temporary-certificate = дві великі кириличні літери й 4–6 цифр (АА1234), дев’ять цифр або АА12345/12345
docfmt-temporary-certificate-hint = напр. АА1234
docfmt-free-number = від 2 до 25 великих літер або цифр; також №, /, (, ) і -
docfmt-free-number-hint = напр. І-БК123456

## Порівняння
ch-title = Чи ця особа вже зареєстрована?
ch-help = Новий запис і найсхожіші зареєстровані особи, поле за полем. Ваги в бітах складаються в оцінку.
ch-field = Поле
ch-new-record = Новий запис
ch-candidate = Кандидат { $n } · { $rid }
ch-prior = Апріорна вага
ch-total = Загальна оцінка
ch-confidence = Упевненість
ch-not-auto = Чому не пов’язано автоматично
ch-link = Та сама особа – пов’язати з { $rid }
ch-create-new = Створити нову особу
ch-override-help = Нова особа, хоча реєстр вважає їх схожими: поясніть чому. Причина зберігається в журналі аудиту, а рецензент побачить цю пару.
ch-override-reason = Чому це інша особа
ch-override-hint = напр. її мати: інший рік народження в паспорті
ch-override-confirm = Створити нову особу з цією причиною
match-field-given-name = ім’я
match-field-family-name = прізвище
match-field-birth-date = дата народження
match-field-gender = стать
match-field-tax-id = РНОКПП
match-field-ssn = SSN
match-field-phone = телефон
match-field-email = ел. пошта
match-field-address = адреса
match-field-city = місто
match-field-postal-code = поштовий індекс
match-field-state = область
match-field-documents-and-identifiers = документи й ідентифікатори
match-field-middle-name-or-patronymic = по батькові
match-level-exact = збігається
match-level-same = збігається
match-level-different = відрізняється
match-level-missing = немає
match-level-one-edit = відрізняється одним знаком
match-level-a-number-shared = є спільний номер
match-level-none-shared = немає спільних
match-level-initial-or-similar = ініціал або схоже
match-level-nickname-or-swapped = зменшене ім’я або переставлено
match-level-jaro-winkler-0-92 = написано майже однаково
match-level-jaro-winkler-0-80-or-same-sound = написано схоже або звучить однаково
match-level-garbled-most-letters-in-order = спотворено: більшість літер на місці
match-level-swapped-with-given-name = переставлено з іменем
match-level-one-digit-or-transposition = одна цифра інша або дві переставлено
match-level-day-and-month-swapped = день і місяць переставлено
match-level-two-of-year-month-and-day-agree = збігаються два з трьох: рік, місяць, день
match-level-similar-street = схожа вулиця
match-level-similar = схоже

## Пошук і картка особи
se-label = Пошук осіб
se-hint = ім’я, M-номер, РНОКПП, документ, телефон або дата народження
se-find = Знайти
se-found = Знайдено: { $n }
se-reference = Номер
se-name = Ім’я
se-born = Народження
se-phone = Телефон
se-open = Відкрити { $rid }
pv-code-status = { $rid } · { $status } · версія { $version }
pv-edit = Редагувати особу
pv-close = Закрити картку
pv-public-id = Публічний id
pv-link-id = Link ID
pv-created = Створено
pv-updated = Змінено
pv-at-by = { $at }, { $by }
pv-phones-addresses = Телефони й адреси
pv-documents = Документи та скани
pv-document = { $kind } { $number } · виданий { $issued }, { $by } · дійсний до { $expires }
pv-show-scan = Показати { $name }
pv-scan-size = { $media } · { $kb } КБ
pv-history = Історія затверджених змін
pv-no-history = Затверджених змін немає.
pv-history-entry = Версія { $version } · { $at } · автор { $author }, затвердив { $approver }
pv-audit = Журнал аудиту

## Перевірка, зіставлення, синхронізація, налаштування
age-seconds = { $n } с
age-minutes = { $n } хв
age-hours = { $n } год
age-days = { $n ->
    [one] { $n } день
    [few] { $n } дні
   *[many] { $n } днів
}
rv-approved = Затверджено: особа вже має ці зміни.
rv-rejected = Відхилено: робочу копію видалено, причину збережено.
rv-withdrawn = Відкликано: зміна не потрапить до рецензента.
rv-mine-count = Мої зміни ({ $n })
rv-empty = Робочих копій, що чекають, немає.
rv-item = { $code } · { $name } · автор { $author } · { $age } тому
rv-changes-to = Зміни до { $name } ({ $code })
rv-old = Було
rv-new = Стало
rv-approve-question = Затвердити зміну до { $name }? Вона застосується одразу й буде записана в історію особи.
rv-approve-confirm = Підтвердити затвердження
rv-approve-cancel = Скасувати затвердження
rv-approve = Затвердити
rv-reject-reason = Причина відхилення
rv-reject = Відхилити
rv-reject-question = Відхилити зміну до { $name }? Робочу копію буде видалено, автор побачить вашу причину.
rv-reject-confirm = Підтвердити відхилення
rv-reject-cancel = Скасувати відхилення
rv-mine = Мої зміни
rv-mine-empty = Ви ще не змінювали жодної зареєстрованої особи.
rv-changed = Що змінено
rv-when = Коли
rv-decision = Рішення
rv-waiting = Чекає на рецензента
rv-withdraw-confirm = Підтвердити відкликання
rv-keep = Залишити
rv-withdraw = Відкликати
rv-approved-by = Затвердив { $by }
rv-rejected-by = Відхилив { $by }: { $reason }
rc-resolved = Вирішено: { $rid }
rc-empty = Записів, що чекають на зіставлення, немає.
rc-filter = Фільтр записів, що чекають
rc-filter-hint = ім’я, система або id запису
rc-sort-confidence = За упевненістю
rc-sort-oldest = Найдовше чекають
rc-sort-name = За ім’ям
rc-best = Найкращий збіг
rc-since = Чекає з
rc-system = Система та запис
rc-reviewers-only = Записи, що чекають, вирішують лише рецензенти й адміністратори.
rc-none-of-them = Або вкажіть, що запис не відповідає жодному з них: він стане новою особою, а { $refs } більше не пропонуватимуться як його дублікати.
rc-why-not = Чому це не та сама особа
rc-why-not-hint = напр. її мати: інший рік народження
rc-not-same = Не та сама особа – створити нову
sy-no-hub = Хаб не налаштовано: зміни зберігаються тут, доки його не налаштують.
sy-configure = Налаштувати хаб
sy-admin-sets = Хаб налаштовує адміністратор у Налаштуваннях.
sy-outbox = Вихідні: { $n ->
    [one] { $n } зміна чекає на надсилання до хабу.
    [few] { $n } зміни чекають на надсилання до хабу.
   *[many] { $n } змін чекають на надсилання до хабу.
}
sy-not-possible = Синхронізація неможлива: { $why }
sy-failed = Синхронізація не вдалася: { $why }
sy-retry = Надіслано { $n }; буде повторено: { $why }
sy-sent = Надіслано змін: { $n }; чекає: { $left }.
sy-refresh = Оновити
sy-now = Синхронізувати зараз
sy-sending = Надсилання…
sy-help = Хаб налаштовує адміністратор у Налаштуваннях, розділ «З’єднання з хабом». Секрет зберігається поруч із базою у файлі, який може читати лише цей обліковий запис.
sy-number = №
sy-queued = У черзі з
sy-attempts = Спроби
sy-state = Стан
sy-sent-at = надіслано { $at }
sy-waiting-why = чекає: { $why }
sy-waiting = чекає
set-appearance = Вигляд
set-theme-system = Як у системі
set-theme-light = Світлий
set-theme-dark = Темний
set-language = Мова
set-registry = Реєстр
set-admin-only = Змінювати це може лише адміністратор.
set-saved = Збережено: { $what }.
set-no-self-auth-age = Вік, до якого довірена особа обов’язкова
set-auto-link = Точність автоматичних зв’язків, % (0–100)
set-review = Упевненість для перевірки (0–100)
set-reconciliation-mode = Можливі дублікати з інших систем
set-site-source = Назва джерела цього закладу
set-hub-timeout-ms = Час очікування хабу, мілісекунди
set-trusted-sources = Довірені джерела, найдовіреніше першим (через кому)
mm-title = Модель зіставлення
mm-loading = Завантаження моделі…
mm-defaults = Типові значення: реєстр навчає власну модель, щойно має 1 000 осіб, і знову щоразу, коли подвоюється.
mm-learnt = Модель { $version }, навчена на цьому реєстрі при { $n } особах.
mm-explain = До будь-яких доказів новий запис є конкретною особою звідси з імовірністю приблизно 1 до { $odds } ({ $bits } біт). Записи пов’язуються автоматично там, де щонайменше { $auto } % таких зв’язків правильні, і ніколи нижче { $floor } %; на перевірку особа пропонується від { $review } %.
mm-weights = Вага кожного збігу
mm-level = Рівень
mm-bits = Біти
mm-words = Словами
weight-very-strong-evidence-of-the-same-person = дуже вагомий доказ, що це та сама особа
weight-strong-evidence-of-the-same-person = вагомий доказ, що це та сама особа
weight-some-evidence-of-the-same-person = певний доказ, що це та сама особа
weight-hardly-evidence-either-way = майже нічого не доводить
weight-some-evidence-of-different-people = певний доказ, що це різні особи
weight-strong-evidence-of-different-people = вагомий доказ, що це різні особи
field-first_name = ім’я
field-last_name = прізвище
field-second_name = по батькові
field-birth_date = дата народження
field-birth_country = країна народження
field-birth_settlement = місце народження
field-gender = стать
field-tax_id = РНОКПП
field-no_tax_id = без РНОКПП
field-unzr = УНЗР
field-email = ел. пошта
field-emails = ел. пошта
field-phones = телефон
field-addresses = адреса
field-documents = документ
field-issued_identifiers = ідентифікатор
field-authentication_methods = метод автентифікації
field-confidant_person = довірена особа
field-documents_person = власний документ
field-documents_relationship = документ про зв’язок
field-number = номер
field-type = тип
field-issued_by = ким виданий
field-issued_at = дата видачі
field-expiration_date = дійсний до
field-street = вулиця
field-house_number = будинок
field-settlement = населений пункт
field-postal_code = поштовий індекс
field-country = країна
field-relation_type = роль
field-phone_number = телефон
field-issued_number = номер
field-scans = скан
field-person = особа

## Керування записами в картці особи
st-unlink-sentence = Від’єднати { $record } від { $this }: запис стане окремою особою з новим M-номером; ця особа зберігає решту. Зміна фіксується в аудиті з вашою причиною.
st-move-sentence = Перенести { $record } від { $this } до вказаної вами особи: запис залишає цю особу, яка зберігає решту. Зміна фіксується в аудиті з вашою причиною.
st-merge-sentence = Об’єднати { $other } ({ $name }) з { $this }: її записи, документи й видані ідентифікатори переходять сюди, а її M-номер та id відтепер відкривають цю особу. Роз’єднання скасовує це.
st-unmerge-sentence = Роз’єднати { $merged } і { $this }: вона знову стає особою з тими самими записами, документами й ідентифікаторами, які принесла.
st-not-same-sentence = Зафіксувати, що { $this } і { $other } ({ $name }) — різні особи: пара більше не пропонуватиметься як дублікати й не може бути об’єднана, доки рішення не скасують.
st-confirm-unlink = Підтвердити від’єднання
st-confirm-move = Підтвердити перенесення
st-confirm-merge = Підтвердити об’єднання
st-confirm-unmerge = Підтвердити роз’єднання
st-confirm-not-same = Підтвердити: різні особи
st-unlinked = Від’єднано: запис тепер особа { $rid }.
st-moved = { $record } перенесено до { $rid }.
st-merged = { $other } об’єднано з цією особою.
st-unmerged = { $merged } роз’єднано: це знову окрема особа.
st-not-same-done = Зафіксовано: ця особа та { $other } — різні особи.
ev-desk = зареєстровано на рецепції
ev-created = створено із запису { $record }
ev-linked = запис { $record } пов’язано
ev-moved-in = запис { $record } перенесено сюди від { $other }
ev-moved-out = запис { $record } перенесено до { $other }
ev-merged = { $other } об’єднано з цією особою
ev-merged-into = об’єднано з { $other }
ev-unmerged = роз’єднано ({ $other })
ev-not-duplicates = зафіксовано як іншу особу, ніж { $other }
ev-not-duplicates-undone = більше не зафіксовано як іншу особу, ніж { $other }
ev-confidence = { " · " }упевненість { $confidence } % (модель { $model })
st-opened-merged = Ви відкрили { $rid }, яку об’єднано з цією особою { $at }.
st-golden = Найкращі поточні значення
st-golden-help = Для кожного поля — значення з найдовіренішого джерела, а серед рівних — найновіше (Налаштування: довірені джерела).
st-value = Значення
st-source = Джерело
st-asserted = Коли вказано
st-this-desk = ця рецепція
st-records = Записи із систем-джерел
st-record = { $record } · { $name } · нар. { $born } · з { $since }
st-unlink = Від’єднати { $record }
st-move = Перенести { $record }
st-merge-section = Об’єднання та дублікати
st-link-history = Історія зв’язків
st-no-links = Змін зв’язків не зафіксовано.
st-none-found = Нічого не знайдено.
st-duplicate = { $other } · { $name } · нар. { $born } · { $confidence } %
st-merge-into = Об’єднати { $other } з цією особою
st-not-same = Інша особа, ніж { $other }
st-find-merge = Знайти особу для об’єднання
st-find-merge-hint = ім’я або M-номер
st-pick = { $rid } · { $name } · нар. { $born }
st-merged-in = Об’єднані з цією особою
st-unmerge = Роз’єднати { $merged }
st-move-to = Перенести до (M-номер)
st-reason = Причина зміни
st-reason-hint = чому — для історії особи

## Користувачі та з’єднання з хабом
us-hub-saved = З’єднання з хабом збережено.
us-added = Додано { $name }: обліковий запис уже може входити.
us-saved = Обліковий запис { $name } збережено.
us-hub = З’єднання з хабом
us-connected = З’єднано: { $why }
us-no-connection = Немає з’єднання: { $why }
us-hub-url = Адреса хабу (URL)
us-key-id = Id ключа
us-secret = Секрет хабу
us-secret-stored = збережено: введіть новий, щоб замінити
us-secret-hint = ключ, який хаб має для цього закладу
us-save-connection = Зберегти з’єднання
us-test-connection = Перевірити з’єднання
us-asking = Запит до хабу…
us-users = Користувачі
us-user = Користувач
us-role = Роль
us-account = Обліковий запис
us-added-at = Додано
us-role-of = Роль { $name }
us-disabled = Вимкнено
us-active = Активний
us-enable = Увімкнути { $name }
us-disable = Вимкнути { $name }
us-new-password = Новий пароль
us-set-password = Встановити пароль
us-reset = Скинути пароль { $name }
us-add-title = Новий користувач
us-new-name = Ім’я нового користувача
us-new-role = Роль нового користувача
us-new-user-password = Пароль нового користувача
us-add = Додати користувача
us-help = Паролі: щонайменше 8 символів. Ролі й облікові записи змінюються одразу, і кожна зміна записується в журнал аудиту.

## Що реєстр відхиляє, біля поля (violation-<code>), і що радить перевірити (warning-<code>)
violation-required = Заповніть це поле.
violation-type = Значення має неправильний вигляд.
violation-too_long = Щонайбільше { $max } символів.
violation-text_characters = Приберіть невидимі чи керівні символи (скопійовано звідкись?).
violation-name_letters = Лише літери, апостроф, дефіс і пробіл: без цифр, символів та емодзі.
violation-name_mixed_alphabets = Напишіть ім’я однією абеткою: тут змішано латинські й кириличні літери.
violation-unknown_field = Реєстр не знає поля { $name }.
violation-not_in_list = Оберіть одне зі значень списку.
violation-not_a_date = Введіть дату як РРРР-ММ-ДД, напр. 1990-05-17.
violation-tax_id_format = Десять цифр.
violation-phone_format = +380 і ще дев’ять цифр, напр. +380501234567.
violation-unzr_format = Вісім цифр (дата народження), дефіс і п’ять цифр, напр. 19900517-01234.
violation-email_format = Адреса ел. пошти, напр. name@example.com.
violation-format = Значення не має очікуваного вигляду.
violation-auth_both = Підтвердьте лише одним методом.
violation-uuid = Це не id методу.
violation-auth_missing = Такого методу автентифікації не існує.
violation-auth_other_person = Цей метод автентифікації належить іншій особі.
violation-auth_na = Цей метод не може підтвердити зміну: оберіть інший.
violation-auth_inactive = Цей метод автентифікації вже неактивний.
violation-birth_date_future = Дата народження має бути в минулому.
violation-birth_date_too_early = Дата народження — не раніше 1900-01-01.
violation-tax_id_with_refusal = Залиште РНОКПП порожнім, якщо особа від нього відмовилася.
violation-unzr_birth_date = УНЗР починається з дати народження (РРРРММДД): вони не збігаються.
violation-unzr_required = Для ID-картки потрібен УНЗР.
violation-identifier_type_repeated = Особа вже має ідентифікатор цього типу.
violation-documents_required = Додайте принаймні один документ.
violation-passport_and_id_card = Особа має або ID-картку, або паспорт старого зразка, не обидва.
violation-child_birth_certificate = Дитині потрібне свідоцтво про народження (українське чи іноземне).
violation-tax_id_required = Введіть РНОКПП або позначте «Особа відмовилася від РНОКПП».
violation-confidant_age = Довірена особа має бути повнолітньою.
violation-confidant_documents_required = Додайте власний документ довіреної особи.
violation-confidant_relationship_required = Додайте документ, що підтверджує зв’язок.
violation-confidant_one_primary = Рівно одна довірена особа має бути основною.
violation-confidant_required = Дитині потрібна довірена особа.
violation-auth_with_update = Метод автентифікації тут не змінюється.
violation-auth_confirms_update = Метод підтверджує лише зміни до зареєстрованої особи.
violation-auth_at_most_one = Оберіть один метод автентифікації.
violation-auth_required = Оберіть метод автентифікації.
violation-child_third_person = Дитина автентифікується через третю особу.
violation-phone_type_repeated = Телефон типу «{ $kind }» уже є.
violation-document_type_repeated = Документ типу «{ $kind }» уже є.
violation-document_number_format = { $kind }, номер: { $format }.
violation-document_issued_future = Дата видачі має бути в минулому.
violation-document_issued_before_birth = Дата видачі має бути пізніше за дату народження.
violation-document_expired = Термін дії документа минув.
violation-document_expiration_required = Документ «{ $kind }» має термін дії: введіть його.
violation-scan_too_big = Скан — щонайбільше 10 МБ.
violation-scan_not_base64 = Не вдалося прочитати скан.
violation-scan = Скан не є зображенням JPEG чи PNG, яке можна прочитати.
violation-scan_own_documents = Скани додаються лише до власних документів особи.
violation-third_person_missing = Оберіть зареєстровану особу як третю особу.
violation-third_person_offline = Ця третя особа автентифікується офлайн, що тут не дозволено.
violation-third_person_no_methods = Ця третя особа не має активного методу автентифікації.
violation-third_person_age = Третя особа має бути повнолітньою.
violation-length = Недопустима довжина.
violation-date = Недопустима дата.
violation-invariant = Це не узгоджується з рештою форми.
violation-existence = Названого не існує.
violation-schema = Реєстр не знає цього поля.
violation-inclusion = Оберіть одне зі значень списку.
warning-tax_id_checksum = Перевірте РНОКПП: остання цифра не відповідає іншим (описка?).
warning-tax_id_birth_date = Перевірте: РНОКПП дає дату народження { $encoded }, а у формі { $typed }.
warning-tax_id_gender = Перевірте: за РНОКПП стать «{ $encoded }», а у формі «{ $typed }».

## Відмови
err-duplicate = Цю особу вже зареєстровано як { $rid }: відкрийте той запис або порівняйте їх поруч.
err-unauthorized = Неправильне ім’я користувача чи пароль, або обліковий запис вимкнено.
err-forbidden = Ваша роль не дозволяє цього.
err-invalid = { $field }: { $what }
err-status = Реєстр відповів не так, як очікувалося (статус { $status }).
reg-hint-unzr = РРРРММДД-ННННН
set-mode-interactive = Обирає система-відправник (отримує кандидатів)
set-mode-queue = Обирає рецензент (чекають у Зіставленні)

## Власне вікно вибору файлів
fb-title = Оберіть скановані сторінки
fb-why = Вікно вибору файлів робочого столу тут не відкрилося, тож програма показує власне. Файли можна також перетягнути у вікно.
fb-folder = Тека
fb-go = Відкрити теку
fb-up = На рівень вище
fb-cannot-read = Цю теку не вдається прочитати: { $why }
fb-empty = Тут немає тек чи файлів JPEG і PNG.
fb-attach = { $n ->
    [0] Додати
    [one] Додати { $n } файл
    [few] Додати { $n } файли
   *[many] Додати { $n } файлів
}

## Чому кандидата не пов’язано автоматично
list-and = { $init } і { $last }
hold-only-names = можна порівняти лише ім’я та дату народження, а один запис має ідентифікатори чи контакти, яких немає в іншому
hold-look-alike = { $conflicts }, і не збігається жоден ідентифікатор, адреса, телефон чи ел. пошта
hold-no-birth-date = немає дати народження чи ідентифікатора, щоб відрізнити родичів
hold-shared = спільні в домогосподарстві { $shared }, але { $rest }
hold-other-record = інший запис цієї особи ({ $record }): { $rest }
hold-conflict-tax-id = РНОКПП різні
hold-conflict-ssn = SSN різні
hold-conflict-birth-date = дати народження різні
hold-conflict-given-name = імена різні
hold-conflict-family-name = прізвища різні
hold-conflict-gender = стать різна
hold-shared-family-name = прізвище
hold-shared-phone = телефон
hold-shared-e-mail = ел. пошта
hold-shared-address = адреса
hold-shared-postcode = поштовий індекс
short-gap = до автоматичного зв’язку бракує { $gap } біт
short-against = проти: { $list }
short-against-item = { $field } { $level } ({ $weight })
short-missing = лише в одному записі є { $list }
page-import = Імпорт
fb-title-csv = Оберіть файл CSV
fb-choose-file = Обрати цей файл

## Імпорт CSV
imp-admins-only = Файли імпортує лише адміністратор.
imp-help = Файл CSV з іншої системи: кожен рядок проходить перевірку на дублікати, як реєстрація на рецепції. Можливі дублікати чекають у Зіставленні. Зупинка зберігає зроблене; повторний імпорт того самого файлу продовжує з місця зупинки.
imp-file = Файл CSV
imp-choose = Обрати…
imp-read = Прочитати стовпці
imp-filter = Файли CSV
imp-cannot-read = Цей файл не вдається прочитати: { $why }
imp-columns = Стовпці
imp-column = Стовпець у файлі
imp-field = Поле реєстру
imp-ignore = (не імпортувати)
imp-id-column = Стовпець з id запису
imp-sor = Назва системи-джерела
imp-sor-hint = напр. HIS
imp-start = Почати імпорт
imp-stop = Зупинити після цієї партії
imp-left = лишилося { $minutes } хв { $seconds } с
imp-progress = { $done } з { $total } рядків · { $rate } рядків/с · { $left }
imp-summary = Підсумок
imp-done = Імпортовано: прочитано рядків — { $rows }.
imp-stopped = Зупинено після { $rows } рядків: імпортуйте той самий файл ще раз, щоб продовжити.
imp-counts = Пов’язано із зареєстрованими особами: { $linked }, нових осіб: { $new }, чекають у Зіставленні: { $queued }, уже імпортовано: { $skipped }, відхилено: { $rejected }.
imp-issues = Пропущені рядки й значення ({ $n })
imp-issue = Рядок { $line }, { $field }: { $reason }
imp-failed = Імпорт не вдалося виконати: { $why }
imp-col-given_name = Ім’я
imp-col-middle_name = По батькові
imp-col-family_name = Прізвище
imp-col-birth_date = Дата народження
imp-col-gender = Стать
imp-col-tax_id = РНОКПП
imp-col-ssn = SSN
imp-col-phone = Телефон
imp-col-email = Ел. пошта
imp-col-house_number = Номер будинку
imp-col-street = Вулиця
imp-col-address_line2 = Адреса, другий рядок
imp-col-city = Місто чи село
imp-col-postal_code = Поштовий індекс
imp-col-state = Область
imp-col-country = Країна
imp-col-document_type = Тип документа
imp-col-document_number = Номер документа
code-M = Чоловіча
code-F = Жіноча

## Довірена особа, зареєстрована з форми дитини
reg-confidant-new = Зареєструвати нову особу як довірену…
nc-title = Реєстрація довіреної особи
nc-help = Довірена особа стає окремою зареєстрованою особою, і дитина автентифікується через неї. Те, що введено в розділі довіреної особи, вже заповнено; її власні документи також беруться звідти.
nc-prefix = Нова довірена особа:
nc-register = Зареєструвати довірену особу
up-no-tax-id = відмова особи від РНОКПП
up-tax-id = картка РНОКПП
up-person = { $kind }
up-confidant = { $kind } ({ $relation })
golden-field-given-name = Ім’я
golden-field-middle-name = По батькові
golden-field-family-name = Прізвище
golden-field-birth-date = Дата народження
golden-field-gender = Стать
golden-field-tax-id = РНОКПП
golden-field-phone = Телефон
golden-field-email = Ел. пошта
golden-field-street = Вулиця
golden-field-house-number = Номер будинку
golden-field-city = Місто чи село
golden-field-postal-code = Поштовий індекс

## Календар
cal-previous = Попередній місяць
cal-next = Наступний місяць
cal-year = Рік
cal-weekdays = Пн Вт Ср Чт Пт Сб Нд
cal-month = { $month ->
    [1] Січень
    [2] Лютий
    [3] Березень
    [4] Квітень
    [5] Травень
    [6] Червень
    [7] Липень
    [8] Серпень
    [9] Вересень
    [10] Жовтень
    [11] Листопад
   *[12] Грудень
} { $year }
