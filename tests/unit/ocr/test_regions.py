"""Restoring the region at the start of an ID card's address from the number's county."""

from __future__ import annotations

from kyc.ocr.regions import prefixes, repair_prefix


def test_prefixes_carry_every_name_the_county_had() -> None:
    assert prefixes("510726") == ("四川省绵阳市北川县", "四川省绵阳市北川羌族自治县")
    assert prefixes("110101") == ("北京市东城区",)  # a municipality: no prefecture
    assert prefixes("999999") == ()


def test_one_misread_or_lost_character_is_restored() -> None:
    assert repair_prefix("四川省绵阳市北川美族自治县金桥南路21号", "510726") == (
        "四川省绵阳市北川羌族自治县金桥南路21号"
    )
    assert repair_prefix("山西省运城市临县翠竹街528号", "140821") == "山西省运城市临猗县翠竹街528号"
    assert repair_prefix("河北省家口市张北县东岭镇2组", "130722") == "河北省张家口市张北县东岭镇2组"


def test_a_real_region_or_a_distant_reading_is_left_alone() -> None:
    # Moved house: the address names a neighbouring county, one character away.
    assert repair_prefix("新疆维吾尔自治区喀什地区疏附县人民路1号", "653122") is None
    assert repair_prefix("四川省绵阳市北川羌族自治县金桥南路21号", "510726") is None
    # One change in a short name is a misreading; two are too many.
    assert (
        repair_prefix("山西省运城市临猗区翠竹街528号", "140821") == "山西省运城市临猗县翠竹街528号"
    )
    assert repair_prefix("山西省运城市林县翠竹街528号", "140821") is None
    assert repair_prefix("广东省深圳市南山区科技园路1号", "140821") is None


def test_an_authority_with_a_district_cut_short_is_not_known() -> None:
    from kyc.ocr.regions import authority_known

    assert authority_known("深圳市公安局罗湖分局") is True
    assert authority_known("天津市公安局北辰分局") is True  # 北辰区 without its suffix
    assert authority_known("深圳市公安局罗分局") is False  # 罗湖 lost a character
    assert authority_known("眉山市仁寿县公安局") is True


def test_an_organisation_named_after_a_misread_place_is_caught() -> None:
    from kyc.ocr.regions import leading_place_known

    assert leading_place_known("犍为县科学技术协会") is True
    assert leading_place_known("键为县科学技术协会") is False  # 犍 misread
    assert leading_place_known("眉山市仁寿县民政局") is True
    assert leading_place_known("中国科学技术协会") is None  # no place word


def test_a_place_one_character_off_the_one_place_the_text_names_is_that_place() -> None:
    from kyc.ocr.regions import place_one_off

    address = "湖北省宜昌市远安县文化大道12号"
    assert place_one_off("远安具", address) == "远安县"
    assert place_one_off("远安县", address) is None  # a real place: nothing to repair
    assert place_one_off("远宁具", address) is None  # two characters off
    assert place_one_off("远安具", "湖北省宜昌市夷陵区") is None  # not named there
    assert place_one_off("杞具", "河南省开封市杞县") is None  # two characters: left alone


def test_a_place_whose_first_character_was_lost_is_the_place_the_text_names() -> None:
    from kyc.ocr.regions import place_one_off

    assert place_one_off("州市", "广东省梅州市蕉岭县") == "梅州市"
    assert place_one_off("州市", "广东省梅州市；浙江省杭州市") is None  # two such places
    assert place_one_off("河门区", "辽宁省阜新市清河门区") == "清河门区"


def test_an_organisation_s_place_is_its_longest_real_start() -> None:
    from kyc.ocr.regions import leading_place_known

    # 梅州 ends in 州 but is no place; 梅州市 is
    assert leading_place_known("梅州市体育局") is True
    assert leading_place_known("燕岭县第三人民医院") is False
    assert leading_place_known("互联网协会") is None


def test_a_place_that_starts_only_after_the_first_character() -> None:
    from kyc.ocr.regions import place_after_first

    assert place_after_first("業南京市腾达餐馆")
    assert not place_after_first("南京市腾达餐馆")  # already a real place
    assert not place_after_first("小米科技有限公司")  # no place after it either
