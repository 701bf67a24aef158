"""Tracking numbers to test omsctl.domain.tracking against, valid and invalid, per format.

Source of most numbers: jkeen/tracking_number_data, release v2.0.0 (2026-08-15),
couriers/ups.json, fedex.json, usps.json, dhl.json, s10.json, amazon.json, ontrac.json,
canadapost.json and lasership.json, field `test_numbers`, copied as written there (spaced
forms included, so they exercise normalisation too). fedex.json, usps.json, dhl.json and
s10.json were read at commit cd25fe2 (the v2.0.0 change); the UPS Waybill, OnTrac D,
Amazon TBC/TBM and LaserShip numbers as quoted from v2.0.0 in
shared/formats/tracking-numbers.md §2 and the v2.0.0 README's format table.

    MIT License

    Copyright (c) 2017 Jeff Keen

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.

The rest are ours, marked "omsctl": worked examples of the published algorithms (UPU S10
serial 47312482 → 9; the FedEx and UPS examples of §3), the demo's waybill pools
(sample_data/waybills), and numbers in the shapes of BF-zh/Courier-Validation for the Chinese
express carriers, which publish no check digit.
"""

from __future__ import annotations

SOURCE = "jkeen/tracking_number_data v2.0.0"

# (carrier, our format name, number as written in the source)
VALID: list[tuple[str, str, str]] = [
    ("UPS", "1Z", "1Z5R89390357567127"),
    ("UPS", "1Z", "1Z879E930346834440"),
    ("UPS", "1Z", "1Z410E7W0392751591"),
    ("UPS", "1Z", "1Z8V92A70367203024"),
    ("UPS", "1Z", " 1 Z 8 V 9 2 A 7 0 3 6 7 2 0 3 0 2 4 "),
    ("UPS", "1Z", "1ZXX3150YW44070023"),
    ("UPS", "1Z", "1Z 999AA1 01 2345678 4"),  # omsctl: the §3 worked example
    ("UPS", "Waybill", "K1506235620"),
    ("UPS", "Waybill", "K2479825491"),
    ("UPS", "Waybill", "J4603636537"),
    ("UPS", "Waybill", "V0490119172"),
    ("UPS", "Waybill", "V0431105627"),
    ("FEDEX", "Express 12", "986578788855"),
    ("FEDEX", "Express 12", "477179081230"),
    ("FEDEX", "Express 12", "799531274483"),
    ("FEDEX", "Express 12", "790535312317"),
    ("FEDEX", "Express 12", " 7 9 0 5 3 5 3 1 2 3 1 7 "),
    ("FEDEX", "Express 12", "974367662710"),
    ("FEDEX", "Express 12", "012345678983"),  # omsctl: the §3 worked example [FX]
    ("FEDEX", "Express 34", "1001921334250001000300779017972697"),
    ("FEDEX", "Express 34", "1001921380360001000300639585804382"),
    ("FEDEX", "Express 34", "1001901781990001000300617767839437"),
    (
        "FEDEX",
        "Express 34",
        " 1 0 0 1 9 0 1 7 8 1 9 9 0 0 0 1 0 0 0 3 0 0 6 1 7 7 6 7 8 3 9 4 3 7 ",
    ),
    ("FEDEX", "Express 34", "1002297871540001000300790695517286"),
    ("FEDEX", "Express 34", "1027590111820004833500785458233610"),
    ("FEDEX", "Express 34", "1195266473930007521100871079919940"),
    ("FEDEX", "Express 34", "1 1 9 52 6 64739 3000 75211 00 8710 799 199 40"),
    ("FEDEX", "Express 34", "1195271874060007521100871140316925"),
    ("FEDEX", "Express 34", "1195583874210007521100871140316936"),
    ("FEDEX", "ASTRA 32", "32971514560102447849175802862014"),
    ("FEDEX", "ASTRA 32", "32971510360102447848540980802018"),
    ("FEDEX", "ASTRA 32", "32971508360102447847941133172013"),
    ("FEDEX", "ASTRA 32", "33810799560000004380417923803212"),
    ("FEDEX", "ASTRA 32", "3 29715 145 6010244 784917580286 2014"),
    ("FEDEX", "Ground 15", "0414 4176 0228 964"),
    ("FEDEX", "Ground 15", "5682 8361 0012 000"),
    ("FEDEX", "Ground 15", " 5 6 8 2   8 3 6 1   0 0 1 2   0 0 0 "),
    ("FEDEX", "Ground 15", "5682 8361 0012 734"),
    ("FEDEX", "Ground SSCC-18", "00 0123 4500 0000 0027"),
    ("FEDEX", "Ground SSCC-18", " 0 0   0 1 2 3   4 5 0 0   0 0 0 0   0 0 2 7 "),
    ("FEDEX", "Ground 96", "9611020987654312345672"),
    ("FEDEX", "Ground 96", " 9 6 1 1 0 2 0 9 8 7 6 5 4 3 1 2 3 4 5 6 7 2 "),
    ("FEDEX", "Ground GSN 34", "9622001900000000000000776632517510"),
    ("FEDEX", "Ground GSN 34", "9622001560000000000000794808390594"),
    ("FEDEX", "Ground GSN 34", "9622001560001234567100794808390594"),
    (
        "FEDEX",
        "Ground GSN 34",
        " 9 6 2 2 0 0 1 5 6 0 0 0 1 2 3 4 5 6 7 1 0 0 7 9 4 8 0 8 3 9 0 5 9 4 ",
    ),
    ("FEDEX", "Ground GSN 34", "9632001560123456789900794808390594"),
    ("USPS", "USPS 20", "0307 1790 0005 2348 3741"),
    ("USPS", "USPS 20", " 0 3 0 7   1 7 9 0   0 0 0 5   2 3 4 8   3 7 4 1 "),
    ("USPS", "USPS 20", "7112 3456 7891 2345 6787"),
    ("USPS", "IMpb", "420787459400111206206406260787"),
    ("USPS", "IMpb", "9400111206206406260787"),
    ("USPS", "IMpb", "9400 1112 0108 0805 4830 16"),
    ("USPS", "IMpb", "9405803699300124287899"),
    ("USPS", "IMpb", "9434611206206406227577"),
    ("USPS", "IMpb", "9434611206206407667136"),
    ("USPS", "IMpb", "9400111206206407628746"),
    ("USPS", "IMpb", "9400111206206407628845"),
    ("USPS", "IMpb", "420 22153 9101026837331000039521"),  # usps_legacy in the data
    ("USPS", "IMpb", "9101 1234 5678 9000 0000 13"),  # usps_legacy in the data
    ("USPS", "Legacy", "7196 9010 7560 0307 7385"),
    ("USPS", "IMpb", "4201002334249200190132607600833457"),
    ("USPS", "IMpb", "4201028200009261290113185417468510"),
    ("USPS", "IMpb", " 4 2 0 1 0 2 8 2 0 0 0 0 9 2 6 1 2 9 0 1 1 3 1 8 5 4 1 7 4 6 8 5 1 0 "),
    ("USPS", "IMpb", "9505 5110 6960 5048 6006 24"),
    ("USPS", "IMpb", "92748931507708513018050063"),
    ("USPS", "IMpb", "92001903060085300042901077"),
    ("USPS", "IMpb", "9361 2898 7870 0317 6337 95"),
    ("USPS", "IMpb", "9261292700768711948021"),
    ("USPS", "IMpb", "420 11213 92 6129098349792366623 8"),
    ("USPS", "IMpb", "92 6129098349792366623 8"),
    ("USPS", "IMpb", "420902459261290336128704042634"),
    ("USPS", "IMpb", "420941179261290336128704062441"),
    ("USPS", "IMpb", "420926029261290336128704067248"),
    ("USPS", "IMpb", "420902729261290336128704124163"),
    ("USPS", "IMpb", "420950549261290336128704133837"),
    ("USPS", "IMpb", "420193809261290336128704280838"),
    ("USPS", "IMpb", "420900469261290336128704216936"),
    ("USPS", "S10", "RB123456785US"),
    ("DHL", "Express", "3318810025"),
    ("DHL", "Express", "73891051146"),
    ("DHL", "Express", "8487135506"),
    ("DHL", "Express", "1099255990"),
    ("DHL", "Express", "3821724944"),
    ("DHL", "Express", "3318810036"),
    ("DHL", "Express", "3318810014"),
    ("DHL", "Express", "3400100001"),  # omsctl: sample_data/waybills/dhl.txt
    ("DHL", "Express", "3400100373"),  # omsctl: sample_data/waybills/dhl.txt
    ("DHL", "Express piece id", "JJD0099999999"),
    ("DHL", "Express piece id", "JVGL0999999990"),
    ("DHL", "eCommerce", "GM2951173225174494"),
    ("DHL", "eCommerce", "GM 2 9 5 117 32 25 1 7 44 9 4"),
    ("DHL", "eCommerce", "GM295117494011169042"),
    ("DHL", "eCommerce", "GM9E44608A27984866BA2D"),
    ("DHL", "eCommerce 14", "60120172242323"),
    ("DHL", "eCommerce 14", "5108 7693037816"),
    ("DHL", "eCommerce 14", "60120174971147"),
    ("AMAZON", "Logistics", "TBA000000000000"),
    ("AMAZON", "Logistics", "TBA010000000000"),
    ("AMAZON", "Logistics", " T B A 0 0 0 0 0 0 0 0 0 0 0 0 "),
    ("AMAZON", "Logistics", "TBC000000000000"),
    ("AMAZON", "Logistics", "TBM502887274000"),
    ("ROYALMAIL", "S10", "RB123456785GB"),
    ("POST", "S10", "RB123456785CV"),
    ("POST", "S10", "RB123456785CF"),
    ("EMS", "S10", "EE473124829CN"),  # omsctl: UPU worked example serial 47312482 → 9
    ("CHINAPOST", "S10", "RR473124829CN"),  # omsctl: same serial, registered letter
    ("CHINAPOST", "S10", "LX100000140CN"),  # omsctl: check 0 (C = 10), ePacket
    ("ROYALMAIL", "S10", "RR000000005GB"),  # omsctl: check 5 (C = 11)
    ("POST", "S10", "CP123456785DE"),  # omsctl: parcel, Deutsche Post
    ("CANADAPOST", "S10", "RB123456785CA"),  # omsctl: the data's serial, Canada Post
    ("CANADAPOST", "16", "0073938000549297"),
    ("CANADAPOST", "16", "7035114477138472"),
    ("CANADAPOST", "16", "4002847016405018"),
    ("ONTRAC", "C/D", "C11031500001879"),
    ("ONTRAC", "C/D", " C 1 1 0 3 1 5 0 0 0 0 1 8 7 9 "),
    ("ONTRAC", "C/D", "C10999911320231"),
    ("ONTRAC", "C/D", "C11121552953069"),
    ("ONTRAC", "C/D", "C11121553156000"),
    ("ONTRAC", "C/D", "C11121552829468"),
    ("ONTRAC", "C/D", "D10011354453707"),
    ("ONTRAC", "C/D", "D10011345983010"),
    ("ONTRAC", "C/D", "D10011342332145"),
    ("LASERSHIP", "LX", "LX17635036"),
    ("LASERSHIP", "LX", "LI12976442"),
    ("LASERSHIP", "LX", "LA28376237"),
    ("LASERSHIP", "LX", "LH13830790"),
    ("LASERSHIP", "LX", "LE10917377"),
    ("LASERSHIP", "LX", "LN30083672"),
    ("LASERSHIP", "1LS7", "1LS717793482164"),
    ("LASERSHIP", "1LS7", "1LS7119013618127-1"),
    ("LASERSHIP", "1LSCX", "1LSCXVE0058631Y"),
    # omsctl: the demo's SF pool, and the shapes of BF-zh/Courier-Validation (no check digit)
    ("SF", "SF", "SF1234500007919"),
    ("SF", "SF", "SF1234500015838"),
    ("SF", "SF", "SFA012345678901"),
    ("SF", "12 digits", "604512345678"),  # older 12-digit numbers (spec §2.7), shape only
    ("ZTO", "ZTO", "73100012345678"),
    ("ZTO", "ZTO", "78 1234 5678 9012"),
    ("YTO", "YTO", "YT7512345678901"),
    ("STO", "STO", "773012345678901"),
    ("STO", "STO", "4312345678901234"),
    ("YUNDA", "Yunda", "5123456789012"),
    ("YUNDA", "Yunda", "312345678901233"),
    ("JD", "JD", "JDVA00012345678"),
    ("JD", "JD", "jdx0 0012 3456 789"),
    ("CHINAPOST", "domestic", "9812345678901"),
    ("EMS", "domestic", "1100012345678"),
    ("EMS", "domestic", "PA12345678901"),
]

# (carrier, number the data or we call invalid for that carrier)
INVALID: list[tuple[str, str]] = [
    ("UPS", "2Z5R89390357567127"),
    ("UPS", "1A5R89390357567127"),
    ("UPS", "1Z1111111111111111"),
    ("UPS", "1Z999AA1012345678X"),  # omsctl: letter in the check position (§6.3 crash)
    ("UPS", "K1506235622"),
    ("UPS", "K2479825492"),
    ("UPS", "J4603636538"),
    ("UPS", "V0411335627"),
    ("UPS", "V0423305841"),
    ("FEDEX", "996578788855"),
    ("FEDEX", "1001901781990001000300617767839438"),
    ("FEDEX", "32971514560102447849175802852014"),
    ("FEDEX", "3297151456010244784917580286201"),
    ("FEDEX", "5682 8361 0012 732"),
    ("FEDEX", "000000000000000001"),
    ("FEDEX", "9600000000000000000001"),
    ("FEDEX", "9622001560001234567100794808390595"),
    ("FEDEX", "9622001560001234567100794808390597"),
    ("USPS", "0307 1790 0005 2348 3742"),
    ("USPS", "9434611206206407667131"),
    ("USPS", "9434611306206407667222"),
    ("USPS", "2334611306206407667222"),
    ("USPS", "61299998820821171811"),
    ("USPS", "9200000000000000000000"),
    ("USPS", "420000000000000000000000000000"),
    ("USPS", "420000009200000000000000000000"),
    ("USPS", "4201028200009261290113185417468511"),
    ("USPS", "9101 1234 5678 9000 0000 14"),
    ("USPS", "7196 9010 7560 0307 7386"),
    ("USPS", "RB123456786US"),
    ("DHL", "3318810010"),
    ("DHL", "3318810034"),
    ("DHL", "3318810011"),
    ("DHL", "XJD0099999998"),
    ("DHL", "GS295117494011169041"),
    ("DHL", "GR295117494011169045"),
    ("DHL", "AAAAAAAAAAAAAAAAAA"),
    ("DHL", "ABCDEFGHILJKLMNOPQ"),
    ("DHL", "ABCDEFGHILJKLMNOPQRSTU1234567890"),
    ("DHL", "A60120172242323"),
    ("DHL", "60120172242323B"),
    ("DHL", "160120172242323"),
    ("DHL", "6012017224232301"),
    ("DHL", "601201722X2323"),
    ("AMAZON", "TBA50288727400A"),
    ("AMAZON", "000000000000000"),
    ("AMAZON", "000000000000"),
    ("AMAZON", "TBB000000000000"),
    ("POST", "RB123456786US"),
    ("POST", "RB123456785XX"),
    ("ROYALMAIL", "RB123456785CN"),  # omsctl: China Post's, not Royal Mail's
    ("EMS", "RR473124829CN"),  # omsctl: registered letter, not EMS
    ("CHINAPOST", "EE473124828CN"),  # omsctl: check digit 8 for 9
    ("CANADAPOST", "0073938000549292"),
    ("CANADAPOST", "7035114477138471"),
    ("CANADAPOST", "5002847016405018"),
    ("ONTRAC", "C10000000000000"),
    ("ONTRAC", "C11031500001889"),
    ("ONTRAC", "D10011345983012"),
    ("ONTRAC", "D10011342332144"),
    ("LASERSHIP", "XA17635036"),
    ("LASERSHIP", "LX9763503N"),
    ("LASERSHIP", "1LX734505321754"),
    ("LASERSHIP", "1LS7119013618127-2"),
    ("LASERSHIP", "1LSCZVE0058631Y"),
    # omsctl: wrong length or prefix for the Chinese shapes
    ("SF", "SF123450000791"),
    ("SF", "SX1234500007919"),
    ("ZTO", "7310001234567"),
    ("ZTO", "72100012345678"),
    ("YTO", "YT751234567890"),
    ("STO", "7612345678901"),
    ("YUNDA", "612345678901234"),
    ("JD", "JD123456789012"),
    ("CHINAPOST", "2812345678901"),
]

# Valid numbers that another carrier's format also validates, so detection must ask for
# --carrier: the 34-digit USPS IMpb with a ZIP+4 routing prefix also passes FedEx Express 34
# ([0-8] + 33 digits, mod 11 over digits 21-33) about one time in eleven.
AMBIGUOUS: dict[str, frozenset[str]] = {
    "4201028200009261290113185417468510": frozenset({"FEDEX", "USPS"}),
}
