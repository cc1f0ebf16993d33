#!/usr/bin/env bash
# The three Aqtobe cases of the RFE/RL report "Kazakh Court Awards Compensation To
# Man Wrongly Detained During Unrest In January 2022", recorded fact by fact, then
# shown, replayed, and asked about across everyone: the lists, an audit, a "why". Every fact cites the report; where it gives no day, the
# date is as fuzzy as the report is, and a note says so.
#
#   bash examples/january2022.sh            # a fresh ./casetrail.db in a new temporary folder
#   CASETRAIL_DB=cases.db bash examples/january2022.sh
#
# Needs the `casetrail` command on PATH (pip install .).
set -euo pipefail

if [ -z "${CASETRAIL_DB:-}" ]; then
  cd "$(mktemp -d)"   # the embedded default store, ./casetrail.db, in a folder of its own
  echo "store: $PWD/casetrail.db"
fi
ct() { casetrail "$@"; }
quiet() { casetrail "$@" >/dev/null; }

quiet source add rferl-omarov \
  --url "https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html" \
  --outlet "RFE/RL" --published 2024-09-01 \
  --title "Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In January 2022"

# Aslanbek Omarov
quiet person add omarov-aslanbek --name "Aslanbek Omarov" --alias "Асланбек Омаров" --place Aqtobe
quiet record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --by "security forces" --source rferl-omarov
quiet record omarov-aslanbek charged --on 2022-01 --charge "organizing mass disorder" --source rferl-omarov \
  --note "the report does not date the charge; officials later said no evidence was found"
quiet record omarov-aslanbek allegation --on 2022-01~ --kind torture --by "Aslanbek Omarov" \
  --against "pretrial detention staff" --source rferl-omarov \
  --note "he says he was tortured while held in pretrial detention (January to May 2022)"
quiet record omarov-aslanbek placed_under_house_arrest --on 2022-05~ --source rferl-omarov \
  --note "after four months in pretrial detention"
quiet record omarov-aslanbek released --on 2022-10~ --grounds "end of house arrest" --source rferl-omarov \
  --note "after five months under house arrest"
quiet record omarov-aslanbek sentenced --on 2023-02 --court "Aqtobe court" --source rferl-omarov --group aqtobe-2023-02 \
  --note "sentenced with 15 others; the report says 'to prison' but gives no term, and he was free when the compensation ruling came"
quiet record omarov-aslanbek appealed --on 2024? --by defence --claim 40000000 --currency KZT --source rferl-omarov \
  --note "appeal seeking compensation; the report does not date it"
quiet record omarov-aslanbek appeal_decided --on 2024-08-31 --court "Aqtobe court" --outcome partly_granted \
  --source rferl-omarov
quiet record omarov-aslanbek compensated --on 2024-08-31 --amount 3500000 --currency KZT --claimed 40000000 \
  --payer "the state" --source rferl-omarov --note "for moral and material damage (about USD 6,500)"

# Ruslanbek Zhubanazarov
quiet person add zhubanazarov-ruslanbek --name "Ruslanbek Zhubanazarov" --place Aqtobe
quiet record zhubanazarov-ruslanbek died --on 2022-01 --cause "killed during the January events" --place Aqtobe \
  --source rferl-omarov
quiet record zhubanazarov-ruslanbek designated --on 2022-01~ --designation terrorist --by authorities \
  --source rferl-omarov --note "first accused of being a terrorist"
quiet record zhubanazarov-ruslanbek designated --on 2023? --designation accidental_victim --by court \
  --source rferl-omarov --note "later adjudicated an accidental victim; the report does not date it"
quiet record zhubanazarov-ruslanbek compensated --on 2023? --amount 7000000 --currency KZT \
  --payer "People of Kazakhstan fund" --recipient family --source rferl-omarov \
  --note "about USD 15,272; the fund was set up in January 2022"

# Faizulla Nurgeldin
quiet person add nurgeldin-faizulla --name "Faizulla Nurgeldin" --place Aqtobe
quiet record nurgeldin-faizulla noted --on 2022-01 --text "fatally shot during the January events in Aqtobe" \
  --source rferl-omarov
quiet record nurgeldin-faizulla designated --on 2022-01~ --designation accidental_victim --source rferl-omarov \
  --note "initially included in the accidental victims list"
quiet record nurgeldin-faizulla died --on 2022-03~ --cause "gunshot wounds" --source rferl-omarov \
  --note "died two months later, then listed as a fatality"

ct replay omarov-aslanbek
ct replay zhubanazarov-ruslanbek
ct show nurgeldin-faizulla --as-of 2022-02-01
ct show nurgeldin-faizulla

# Across everyone: the lists before and after Nurgeldin's death, his audit, and why he left one list.
ct lists --as-of 2022-02-01
ct list accidental_victims --as-of 2022-02-01
ct list accidental_victims --as-of 2022-04-01
ct audit nurgeldin-faizulla
ct why nurgeldin-faizulla accidental_victims --as-of 2022-04-01
