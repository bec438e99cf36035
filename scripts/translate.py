"""Fill zh_Hans_CN translations: reads 'English<TAB>中文' lines on stdin; lists what is missing.

.venv/bin/python scripts/translate.py < new-strings.tsv
.venv/bin/python scripts/translate.py --missing
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main() -> None:
    with open(PO, "rb") as fh:
        catalog = read_po(fh)
    if "--missing" in sys.argv:
        for message in catalog:
            if message.id and not (message.string[0] if message.pluralizable else message.string):
                print(message.id[0] if message.pluralizable else message.id)
        return
    for line in sys.stdin:
        if "\t" not in line:
            continue
        source, target = line.rstrip("\n").split("\t", 1)
        message = catalog.get(source)
        if message is None:
            print(f"not in catalog: {source}", file=sys.stderr)
            continue
        message.string = (target,) if message.pluralizable else target
        message.flags.discard("fuzzy")
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=100)


if __name__ == "__main__":
    main()
