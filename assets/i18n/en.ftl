# Registrar's English catalogue. One message per text the workstation shows.
# Ids: <screen>-<what>. Codes from the seeds: code-<CODE>.

## Common
choose = — choose —
date-hint = YYYY-MM-DD
calendar = Calendar
cancel = Cancel
save = Save
none-dash = —
count-persons = { $n ->
    [one] { $n } person
   *[other] { $n } persons
}
yes = yes
no = no

## Seed codes in words
code-MALE = Male
code-FEMALE = Female
code-MOBILE = Mobile
code-LAND_LINE = Landline
code-REGISTRATION = Registered address
code-RESIDENCE = Where the person lives
code-OTP = One-time code by SMS
code-OFFLINE = Offline (documents at the desk)
code-THIRD_PERSON = Through a third person
code-NA = None
code-PRIMARY = Primary confidant
code-SECONDARY = Secondary confidant
code-PASSPORT = Passport
code-NATIONAL_ID = ID card
code-BIRTH_CERTIFICATE = Birth certificate
code-BIRTH_CERTIFICATE_FOREIGN = Foreign birth certificate
code-COMPLEMENTARY_PROTECTION_CERTIFICATE = Complementary protection certificate
code-REFUGEE_CERTIFICATE = Refugee certificate
code-TEMPORARY_CERTIFICATE = Temporary residence certificate
code-TEMPORARY_PASSPORT = Temporary passport
code-PERMANENT_RESIDENCE_PERMIT = Permanent residence permit
code-CONFIDANT_CERTIFICATE = Confidant certificate
code-COURT_DECISION = Court decision
code-DOCUMENT = Other document
code-MEDICAL_LICENSE = Medical licence
code-NPI = NPI
code-DEA = DEA number
code-STATE_LICENSE = State licence
code-DRIVER_LICENSE = Driving licence
code-PASSPORT_NUMBER = Passport number
code-TAX_ID = Tax id
code-MILITARY_ID = Military id
code-receptionist = Receptionist
code-reviewer = Reviewer
code-admin = Administrator
code-active = active
code-inactive = inactive
code-merged = merged

## Window, sign-in, top bar, status bar, help
app-subtitle = Master Person Index workstation
login-first = This database has no accounts yet. Create the first administrator.
login-sign-in = Sign in
login-user = User name
login-password = Password
login-password2 = Repeat password
login-create-admin = Create administrator
login-passwords-differ = The two passwords differ.
page-register = Register
page-search = Search
page-review = Review queue
page-reconciliation = Reconciliation
page-sync = Sync
page-settings = Settings
top-help = Help (F1)
top-sign-out = Sign out
status-database = Database: { $path }
status-user = User: { $name } ({ $role })
status-signed-out = Not signed in
status-persons = Persons: { $n }
status-sync-no-hub = Sync: no hub configured
status-sync-no-hub-kept = Sync: no hub configured; { $n ->
    [one] { $n } change kept here
   *[other] { $n } changes kept here
}
status-sync-up-to-date = Sync: up to date
status-sync-waiting = Sync: { $n ->
    [one] { $n } change waiting
   *[other] { $n } changes waiting
}
status-working-copies = Working copies: { $n }
status-pending = Pending matches: { $n }
status-working = Working…
help-title = Keyboard shortcuts
help-close = Close help
help-f1 = Show or hide this help
help-ctrl-n = A new, empty registration form
help-ctrl-f = Search persons
help-tab-keys = Tab / Shift+Tab
help-tab = Next / previous field or button
help-enter-keys = Enter (in a form field)
help-enter = Next field
help-ctrl-enter = Register the person (or save the changes)
help-space-keys = Space or Enter (on a button)
help-space = Press it
help-escape = Close this help or a pop-up list

## Register page
reg-confidant-chosen = Confidant: { $who }
reg-confidant-another = Choose another confidant
reg-confidant-find = Find the confidant
reg-confidant-find-hint = name, M-number or phone
reg-choose = Choose { $who }
reg-born-phone = born { $born } · { $phone }
reg-no-phone = no phone
reg-confidant-nobody = Nobody found yet: type more of the name, an M-number or a phone, or fill in the fields below.
reg-drop-first = Add a document first, then drop its scanned pages on the window.
reg-doc-type = { $prefix ->
    [confidant] Confidant document { $n } type
    [relationship] Relationship document { $n } type
   *[own] Document { $n } type
}
reg-doc-number = { $prefix ->
    [confidant] Confidant document { $n } number
    [relationship] Relationship document { $n } number
   *[own] Document { $n } number
}
reg-doc-issued-by = { $prefix ->
    [confidant] Confidant document { $n } issued by
    [relationship] Relationship document { $n } issued by
   *[own] Document { $n } issued by
}
reg-doc-issued-on = { $prefix ->
    [confidant] Confidant document { $n } issued on
    [relationship] Relationship document { $n } issued on
   *[own] Document { $n } issued on
}
reg-doc-expires = { $prefix ->
    [confidant] Confidant document { $n } expires on
    [relationship] Relationship document { $n } expires on
   *[own] Document { $n } expires on
}
reg-doc-remove = { $prefix ->
    [confidant] Remove confidant document { $n }
    [relationship] Remove relationship document { $n }
   *[own] Remove document { $n }
}
reg-doc-add = { $prefix ->
    [confidant] Add confidant document
    [relationship] Add relationship document
   *[own] Add document
}
reg-doc-type-first = choose the type first
reg-doc-authority = authority
reg-doc-pattern = Number: { $words }
reg-scan-stored = { $name } (stored)
reg-scan-remove = Remove scan { $name }
reg-scan-attach = Attach scan to document { $n }…
reg-registered = Registered { $name } as { $rid }.
reg-waits = The change waits for a reviewer in the review queue.
reg-saved = Saved.
reg-correct = Please correct the fields marked with !.
reg-linked = Linked to the existing person { $rid }: everything typed is kept as this desk's record of them.
dup-title = Possible duplicates
dup-help = Checked while you type: names, birth date, phone and identifiers.
dup-none = No similar person found.
dup-born = Born { $born } · { $rid }
dup-compare = Compare side by side
reg-editing = Editing person { $seq } (version { $version }). Receptionists' changes wait for a reviewer.
reg-person = Person
reg-first-name = First name
reg-last-name = Last name
reg-middle-name = Middle name
reg-birth-date = Birth date
reg-gender = Gender
reg-birth-country = Birth country
reg-birth-settlement = Birth settlement
reg-tax-id = Tax id
reg-unzr = UNZR
reg-email = Email
reg-no-tax-id = No tax id
reg-no-tax-id-box = The person has no tax id
reg-hint-first = e.g. Олена
reg-hint-last = e.g. Коваленко
reg-hint-optional = optional
reg-hint-country = e.g. UA
reg-hint-tax-id = 10 digits
reg-hint-settlement = city or village
reg-phones = Phones
reg-phone-type = Phone { $n } type
reg-phone-number = Phone { $n } number
reg-phone-remove = Remove phone { $n }
reg-phone-add = Add phone
reg-addresses = Addresses
reg-address-type = Address { $n } type
reg-address-street = Address { $n } street
reg-address-house = Address { $n } house
reg-address-settlement = Address { $n } settlement
reg-address-postal = Address { $n } postal code
reg-address-country = Address { $n } country
reg-address-remove = Remove address { $n }
reg-address-add = Add address
reg-documents = Documents
reg-scans-help = Scans: JPEG or PNG, at most 10 MB a page. You can also drop files on the window.
reg-identifiers = Issued identifiers
reg-identifier-type = Identifier { $n } type
reg-identifier-number = Identifier { $n } number
reg-identifier-remove = Remove identifier { $n }
reg-identifier-add = Add identifier
reg-authentication = Authentication
reg-auth-method = Authentication method
reg-otp-phone = OTP phone
reg-third-person = Third person
reg-third-person-none = the confidant you choose
reg-confidant = Confidant person
reg-child = The person is under { $age }: a confidant person is mandatory and authenticates for them.
reg-confidant-relation = Confidant relation
reg-confidant-first = Confidant first name
reg-confidant-last = Confidant last name
reg-confidant-birth = Confidant birth date
reg-confidant-gender = Confidant gender
reg-confidant-docs = Confidant's own documents
reg-relationship-docs = Documents proving the relationship
reg-uploads = Document uploads the rules ask for
reg-save = Save changes
reg-submit = Register person
reg-clear = Clear form
reg-keys = Enter: next field · Ctrl+Enter: register
reg-scans-filter = Scans (JPEG, PNG)
docfmt-cyrillic-pair-six-digits = two Cyrillic capital letters and six digits, e.g. АА123456
docfmt-cyrillic-pair-six-digits-hint = e.g. АА123456
docfmt-nine-digits = nine digits, e.g. 123456789
docfmt-nine-digits-hint = 9 digits, e.g. 123456789
docfmt-temporary-certificate = two Cyrillic capital letters and 4 to 6 digits (АА1234), nine digits, or АА12345/12345
docfmt-temporary-certificate-hint = e.g. АА1234
docfmt-free-number = 2 to 25 capital letters or digits; also №, /, (, ) and -
docfmt-free-number-hint = e.g. І-БК123456

## The chooser
ch-title = Is this person already registered?
ch-help = The new record and the most similar registered persons, field by field. Weights in bits add up to the score.
ch-field = Field
ch-new-record = New record
ch-candidate = Candidate { $n } · { $rid }
ch-prior = Prior
ch-total = Total score
ch-confidence = Confidence
ch-not-auto = Not linked automatically
ch-link = Same person – link { $rid }
ch-create-new = Create new person
ch-override-help = A new person although the registry finds these alike: say why. The reason is kept in the audit trail, and a reviewer sees the pair.
ch-override-reason = Why a different person
ch-override-hint = e.g. her mother: another birth year on the passport
ch-override-confirm = Create new person with this reason
match-field-given-name = given name
match-field-family-name = family name
match-field-birth-date = birth date
match-field-gender = gender
match-field-tax-id = tax id
match-field-ssn = SSN
match-field-phone = phone
match-field-email = email
match-field-address = address
match-field-city = city
match-field-postal-code = postal code
match-field-state = state
match-field-documents-and-identifiers = documents and identifiers
match-field-middle-name-or-patronymic = middle name or patronymic
match-level-exact = same
match-level-same = same
match-level-different = different
match-level-missing = missing
match-level-one-edit = one letter or digit apart
match-level-a-number-shared = a number shared
match-level-none-shared = none shared
match-level-initial-or-similar = initial or similar
match-level-nickname-or-swapped = nickname or swapped
match-level-jaro-winkler-0-92 = spelt almost the same
match-level-jaro-winkler-0-80-or-same-sound = spelt alike or sounds the same
match-level-garbled-most-letters-in-order = garbled: most letters in order
match-level-swapped-with-given-name = swapped with the given name
match-level-one-digit-or-transposition = one digit apart or two swapped
match-level-day-and-month-swapped = day and month swapped
match-level-two-of-year-month-and-day-agree = two of year, month and day agree
match-level-similar-street = similar street
match-level-similar = similar

## Search and the person view
se-label = Search persons
se-hint = name, M-number, tax id, document, phone or birth date
se-find = Find
se-found = { $n } found
se-reference = Reference
se-name = Name
se-born = Born
se-phone = Phone
se-open = Open { $rid }
pv-code-status = { $rid } · { $status } · version { $version }
pv-edit = Edit person
pv-close = Close person
pv-public-id = Public id
pv-link-id = Link ID
pv-created = Created
pv-updated = Updated
pv-at-by = { $at } by { $by }
pv-phones-addresses = Phones and addresses
pv-documents = Documents and scans
pv-document = { $kind } { $number } · issued { $issued } by { $by } · expires { $expires }
pv-show-scan = Show { $name }
pv-scan-size = { $media } · { $kb } KB
pv-history = History of approved changes
pv-no-history = No approved changes.
pv-history-entry = Version { $version } · { $at } · by { $author }, approved by { $approver }
pv-audit = Audit trail

## Review, reconciliation, sync, settings
age-seconds = { $n } s
age-minutes = { $n } min
age-hours = { $n } h
age-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
rv-approved = Approved: the person now has the changes.
rv-rejected = Rejected: the working copy was deleted and the reason kept.
rv-withdrawn = Withdrawn: the change will not reach a reviewer.
rv-mine-count = My changes ({ $n })
rv-empty = No working copies are waiting.
rv-item = { $code } · { $name } · by { $author } · { $age } ago
rv-changes-to = Changes to { $name } ({ $code })
rv-old = Old
rv-new = New
rv-approve-question = Approve the change to { $name }? It applies at once and is recorded in the person's history.
rv-approve-confirm = Confirm approval
rv-approve-cancel = Cancel approval
rv-approve = Approve
rv-reject-reason = Reason for rejecting
rv-reject = Reject
rv-reject-question = Reject the change to { $name }? The working copy is deleted, and the author sees your reason.
rv-reject-confirm = Confirm rejection
rv-reject-cancel = Cancel rejection
rv-mine = My changes
rv-mine-empty = You have not changed any registered person yet.
rv-changed = Changed
rv-when = When
rv-decision = Decision
rv-waiting = Waiting for a reviewer
rv-withdraw-confirm = Confirm withdrawal
rv-keep = Keep it
rv-withdraw = Withdraw
rv-approved-by = Approved by { $by }
rv-rejected-by = Rejected by { $by }: { $reason }
rc-resolved = Resolved: { $rid }
rc-empty = No records wait for reconciliation.
rc-filter = Filter waiting records
rc-filter-hint = name, system or record id
rc-sort-confidence = Sort by confidence
rc-sort-oldest = Sort by waiting longest
rc-sort-name = Sort by name
rc-best = Best match
rc-since = Waiting since
rc-system = System and record
rc-reviewers-only = Only reviewers and administrators resolve waiting records.
rc-none-of-them = Or say the record is none of them: it becomes a new person, and { $refs } will not be offered as its duplicate again.
rc-why-not = Why not the same person
rc-why-not-hint = e.g. her mother: another birth year
rc-not-same = Not the same person – create new
sy-no-hub = No hub configured: changes are kept here until one is.
sy-configure = Configure the hub
sy-admin-sets = An administrator sets the hub in Settings.
sy-outbox = Outbox: { $n ->
    [one] { $n } change waiting to be sent to the hub.
   *[other] { $n } changes waiting to be sent to the hub.
}
sy-not-possible = Sync is not possible: { $why }
sy-failed = Sync failed: { $why }
sy-retry = Sent { $n }; will retry: { $why }
sy-sent = Sent { $n ->
    [one] { $n } change
   *[other] { $n } changes
}; { $left } waiting.
sy-refresh = Refresh
sy-now = Sync now
sy-sending = Sending…
sy-help = An administrator sets the hub in Settings, under Hub connection. The secret is kept in a file only this account can read, beside the database.
sy-number = #
sy-queued = Queued at
sy-attempts = Attempts
sy-state = State
sy-sent-at = sent { $at }
sy-waiting-why = waiting: { $why }
sy-waiting = waiting
set-appearance = Appearance
set-theme-system = Follow the system
set-theme-light = Light
set-theme-dark = Dark
set-language = Language
set-registry = Registry
set-admin-only = Only an administrator can change these.
set-saved = Saved: { $what }.
set-no-self-auth-age = Age below which a confidant person is mandatory
set-auto-link = Precision of automatic links, % (0–100)
set-review = Review confidence (0–100)
set-reconciliation-mode = Likely duplicates from other systems
set-site-source = This site's source name
set-hub-timeout-ms = Hub timeout, milliseconds
set-trusted-sources = Trusted sources, most trusted first (comma-separated)
mm-title = Matching model
mm-loading = Loading the model…
mm-defaults = The defaults: the registry learns its own model from 1,000 persons on, and again each time it doubles.
mm-learnt = Model { $version }, learnt from this registry at { $n } persons.
mm-explain = Before any evidence, a new record is one given person here with a chance of about 1 in { $odds } ({ $bits } bits). Records are linked by themselves where at least { $auto } % of such links are right, and never a pair below { $floor } %; a person is offered for review from { $review } %.
mm-weights = Weight of each agreement
mm-level = Level
mm-bits = Bits
mm-words = In words
weight-very-strong-evidence-of-the-same-person = very strong evidence of the same person
weight-strong-evidence-of-the-same-person = strong evidence of the same person
weight-some-evidence-of-the-same-person = some evidence of the same person
weight-hardly-evidence-either-way = hardly evidence either way
weight-some-evidence-of-different-people = some evidence of different people
weight-strong-evidence-of-different-people = strong evidence of different people
field-first_name = first name
field-last_name = last name
field-second_name = middle name
field-birth_date = birth date
field-birth_country = birth country
field-birth_settlement = birth settlement
field-gender = gender
field-tax_id = tax id
field-no_tax_id = no tax id
field-unzr = UNZR
field-email = email
field-emails = email
field-phones = phone
field-addresses = address
field-documents = document
field-issued_identifiers = identifier
field-authentication_methods = authentication method
field-confidant_person = confidant
field-documents_person = own document
field-documents_relationship = relationship document
field-number = number
field-type = type
field-issued_by = issued by
field-issued_at = issued on
field-expiration_date = expires on
field-street = street
field-house_number = house
field-settlement = settlement
field-postal_code = postal code
field-country = country
field-relation_type = relation
field-phone_number = phone
field-issued_number = number
field-scans = scan
field-person = person

## Stewardship in the person view
st-unlink-sentence = Unlink { $record } from { $this }: the record becomes a person of its own, with a new M-number; this person keeps the rest. The change is audited with your reason.
st-move-sentence = Move { $record } from { $this } to the person you name: the record leaves this person, who keeps the rest. The change is audited with your reason.
st-merge-sentence = Merge { $other } ({ $name }) into { $this }: its records, documents and issued identifiers move here, and its M-number and id open this person from now on. Unmerge undoes it.
st-unmerge-sentence = Unmerge { $merged } from { $this }: it becomes a person again, with exactly the records, documents and identifiers it brought.
st-not-same-sentence = Record that { $this } and { $other } ({ $name }) are different people: the pair is no longer offered as duplicates, and cannot be merged until the decision is taken back.
st-confirm-unlink = Confirm unlink
st-confirm-move = Confirm move
st-confirm-merge = Confirm merge
st-confirm-unmerge = Confirm unmerge
st-confirm-not-same = Confirm not the same person
st-unlinked = Unlinked: the record is now person { $rid }.
st-moved = Moved { $record } to { $rid }.
st-merged = Merged { $other } into this person.
st-unmerged = Unmerged { $merged }: it is a person again.
st-not-same-done = Recorded: this person and { $other } are different people.
ev-desk = registered at the desk
ev-created = started with record { $record }
ev-linked = record { $record } linked
ev-moved-in = record { $record } moved here from { $other }
ev-moved-out = record { $record } moved to { $other }
ev-merged = { $other } merged into this person
ev-merged-into = merged into { $other }
ev-unmerged = unmerged ({ $other })
ev-not-duplicates = recorded as a different person from { $other }
ev-not-duplicates-undone = no longer recorded as different from { $other }
ev-confidence = { " · " }confidence { $confidence } % (model { $model })
st-opened-merged = You opened { $rid }, which was merged into this person at { $at }.
st-golden = Best current values
st-golden-help = Per field, the value of the most trusted source, and of those the most recently asserted (Settings: trusted sources).
st-value = Value
st-source = Source
st-asserted = Asserted
st-this-desk = this desk
st-records = Records from systems of record
st-record = { $record } · { $name } · born { $born } · since { $since }
st-unlink = Unlink { $record }
st-move = Move { $record }
st-merge-section = Merge and duplicates
st-link-history = Link history
st-no-links = No link changes recorded.
st-none-found = None found.
st-duplicate = { $other } · { $name } · born { $born } · { $confidence } %
st-merge-into = Merge { $other } into this person
st-not-same = Not the same person as { $other }
st-find-merge = Find a person to merge
st-find-merge-hint = name or M-number
st-pick = { $rid } · { $name } · born { $born }
st-merged-in = Merged into this person
st-unmerge = Unmerge { $merged }
st-move-to = Move to (M-number)
st-reason = Reason for this change
st-reason-hint = why, for the person's history

## Users and the hub connection
us-hub-saved = Saved the hub connection.
us-added = Added { $name }: they can sign in now.
us-saved = Saved the account of { $name }.
us-hub = Hub connection
us-connected = Connected: { $why }
us-no-connection = No connection: { $why }
us-hub-url = Hub URL
us-key-id = Key id
us-secret = Hub secret
us-secret-stored = stored: type a new one to replace it
us-secret-hint = the key the hub holds for this site
us-save-connection = Save connection
us-test-connection = Test connection
us-asking = Asking the hub…
us-users = Users
us-user = User
us-role = Role
us-account = Account
us-added-at = Added
us-role-of = Role of { $name }
us-disabled = Disabled
us-active = Active
us-enable = Enable { $name }
us-disable = Disable { $name }
us-new-password = New password
us-set-password = Set password
us-reset = Reset password of { $name }
us-add-title = Add a user
us-new-name = New user name
us-new-role = New user's role
us-new-user-password = New user's password
us-add = Add user
us-help = Passwords: at least 8 characters. Roles and accounts change at once, and each change is in the audit trail.

## What the registry refuses, at the field (violation-<code>), and what it
## asks to check (warning-<code>)
violation-required = Fill this in.
violation-type = This value has the wrong form.
violation-too_long = At most { $max } characters.
violation-text_characters = Remove the invisible or control characters (pasted from elsewhere?).
violation-name_letters = Letters only, with apostrophes, hyphens and spaces: no digits, symbols or emoji.
violation-name_mixed_alphabets = Write the name in one alphabet: it mixes Latin and Cyrillic letters.
violation-unknown_field = The registry does not know the field { $name }.
violation-not_in_list = Choose one of the listed values.
violation-not_a_date = Type a date as YYYY-MM-DD, e.g. 1990-05-17.
violation-tax_id_format = Ten digits.
violation-phone_format = +380 and nine more digits, e.g. +380501234567.
violation-unzr_format = Eight digits (the birth date), a hyphen and five digits, e.g. 19900517-01234.
violation-email_format = An e-mail address, e.g. name@example.com.
violation-format = This does not have the expected form.
violation-auth_both = Confirm with one method only.
violation-uuid = This is not a method's id.
violation-auth_missing = No such authentication method.
violation-auth_other_person = This authentication method belongs to another person.
violation-auth_na = This method cannot confirm a change: choose another.
violation-auth_inactive = This authentication method is no longer active.
violation-birth_date_future = A birth date is in the past.
violation-birth_date_too_early = A birth date is 1900-01-01 or later.
violation-tax_id_with_refusal = Leave the tax id empty when the person has none.
violation-unzr_birth_date = The UNZR starts with the birth date (YYYYMMDD): they do not agree.
violation-unzr_required = With an ID card, the UNZR is required.
violation-identifier_type_repeated = The person already has an identifier of this type.
violation-documents_required = Add at least one document.
violation-passport_and_id_card = A person has either an ID card or an old passport, not both.
violation-child_birth_certificate = A child needs a birth certificate (Ukrainian or foreign).
violation-tax_id_required = Type the tax id, or tick "The person has no tax id".
violation-confidant_age = The confidant must be an adult.
violation-confidant_documents_required = Add the confidant's own document.
violation-confidant_relationship_required = Add a document proving the relationship.
violation-confidant_one_primary = Exactly one confidant is the primary one.
violation-confidant_required = A child needs a confidant person.
violation-auth_with_update = The authentication method is not changed here.
violation-auth_confirms_update = A method confirms changes to a registered person only.
violation-auth_at_most_one = Choose one authentication method.
violation-auth_required = Choose an authentication method.
violation-child_third_person = A child authenticates through a third person.
violation-phone_type_repeated = There is already a phone of the type { $kind }.
violation-document_type_repeated = There is already a document of the type { $kind }.
violation-document_number_format = { $kind } number: { $format }.
violation-document_issued_future = The issue date is in the past.
violation-document_issued_before_birth = The issue date is after the birth date.
violation-document_expired = This document has expired.
violation-document_expiration_required = A { $kind } has an expiry date: type it.
violation-scan_too_big = A scan is at most 10 MB.
violation-scan_not_base64 = The scan could not be read.
violation-scan = The scan is not a JPEG or PNG image that can be read.
violation-scan_own_documents = Scans are attached to the person's own documents only.
violation-third_person_missing = Choose a registered person as the third person.
violation-third_person_offline = This third person authenticates offline, which is not allowed here.
violation-third_person_no_methods = This third person has no active authentication method.
violation-third_person_age = The third person must be an adult.
violation-length = The length is not allowed.
violation-date = This date is not allowed.
violation-invariant = This does not agree with the rest of the form.
violation-existence = What this names does not exist.
violation-schema = The registry does not know this field.
violation-inclusion = Choose one of the listed values.
warning-tax_id_checksum = Check the tax id: its last digit does not match the others (a typo?).
warning-tax_id_birth_date = Check: the tax id gives the birth date { $encoded }, the form says { $typed }.
warning-tax_id_gender = Check: the tax id says { $encoded }, the form says { $typed }.

## Refusals
err-duplicate = This person is already registered as { $rid }: open that record instead, or compare them side by side.
err-unauthorized = The user name or password is wrong, or the account is disabled.
err-forbidden = Your role may not do this.
err-invalid = { $field }: { $what }
err-status = The registry did not answer as expected (status { $status }).
reg-hint-unzr = YYYYMMDD-NNNNN
set-mode-interactive = The sending system chooses (it gets the candidates back)
set-mode-queue = A reviewer chooses (they wait in Reconciliation)

## The window's own file dialog
fb-title = Choose scanned pages
fb-why = The desktop's file dialog could not open here, so the window shows its own. You can also drop files on the window.
fb-folder = Folder
fb-go = Open folder
fb-up = Up one folder
fb-cannot-read = This folder cannot be read: { $why }
fb-empty = No folders or JPEG and PNG files here.
fb-attach = { $n ->
    [0] Attach
    [one] Attach { $n } file
   *[other] Attach { $n } files
}

## Why a candidate was not linked by itself
list-and = { $init } and { $last }
hold-only-names = only the name and birth date can be compared, and one record has identifiers or contact details the other lacks
hold-look-alike = { $conflicts }, and no identifier, address, phone or e-mail agrees
hold-no-birth-date = no birth date or identifier agrees to tell relatives apart
hold-shared = shares a household { $shared }, but { $rest }
hold-other-record = another record of this person ({ $record }): { $rest }
hold-conflict-tax-id = the tax ids differ
hold-conflict-ssn = the SSNs differ
hold-conflict-birth-date = the birth dates differ
hold-conflict-given-name = the given names differ
hold-conflict-family-name = the family names differ
hold-conflict-gender = the genders differ
hold-shared-family-name = family name
hold-shared-phone = phone
hold-shared-e-mail = e-mail
hold-shared-address = address
hold-shared-postcode = postcode
short-gap = { $gap } bits short of linking by itself
short-against = against it: { $list }
short-against-item = { $field } { $level } ({ $weight })
short-missing = only one side has { $list }
page-import = Import
fb-title-csv = Choose a CSV file
fb-choose-file = Choose this file

## Import CSV
imp-admins-only = Only an administrator imports files.
imp-help = A CSV file from another system: each row goes through the duplicate check like a registration at the desk. Likely duplicates wait in Reconciliation. Stopping keeps what is done; importing the same file again carries on where it stopped.
imp-file = CSV file
imp-choose = Choose…
imp-read = Read its columns
imp-filter = CSV files
imp-cannot-read = This file cannot be read: { $why }
imp-columns = Columns
imp-column = Column in the file
imp-field = Registry field
imp-ignore = (leave out)
imp-id-column = Column with the record's id
imp-sor = Source system's name
imp-sor-hint = e.g. HIS
imp-start = Start import
imp-stop = Stop after this batch
imp-left = { $minutes } min { $seconds } s left
imp-progress = { $done } of { $total } rows · { $rate } rows/s · { $left }
imp-summary = Summary
imp-done = Imported: { $rows } rows read.
imp-stopped = Stopped after { $rows } rows: import the same file again to carry on.
imp-counts = { $linked } linked to registered persons, { $new } new persons, { $queued } waiting in Reconciliation, { $skipped } already imported, { $rejected } refused.
imp-issues = Rows and values left out ({ $n })
imp-issue = Line { $line }, { $field }: { $reason }
imp-failed = The import could not run: { $why }
imp-col-given_name = Given name
imp-col-middle_name = Middle name
imp-col-family_name = Family name
imp-col-birth_date = Birth date
imp-col-gender = Gender
imp-col-tax_id = Tax id
imp-col-ssn = SSN
imp-col-phone = Phone
imp-col-email = Email
imp-col-house_number = House number
imp-col-street = Street
imp-col-address_line2 = Address, second line
imp-col-city = City or village
imp-col-postal_code = Postal code
imp-col-state = Region
imp-col-country = Country
imp-col-document_type = Document type
imp-col-document_number = Document number
code-M = Male
code-F = Female

## A confidant registered from the child's form
reg-confidant-new = Register a new person as the confidant…
nc-title = Register the confidant
nc-help = The confidant becomes a registered person of their own, and the child authenticates through them. What the confidant section holds is filled in; their own documents come from there too.
nc-prefix = New confidant:
nc-register = Register the confidant
up-no-tax-id = the person's refusal of a tax id
up-tax-id = the tax id card
up-person = { $kind }
up-confidant = { $kind } ({ $relation })
golden-field-given-name = Given name
golden-field-middle-name = Middle name
golden-field-family-name = Family name
golden-field-birth-date = Birth date
golden-field-gender = Gender
golden-field-tax-id = Tax id
golden-field-phone = Phone
golden-field-email = Email
golden-field-street = Street
golden-field-house-number = House number
golden-field-city = City or village
golden-field-postal-code = Postal code

## The calendar
cal-previous = Previous month
cal-next = Next month
cal-year = Year
cal-weekdays = Mo Tu We Th Fr Sa Su
cal-month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
