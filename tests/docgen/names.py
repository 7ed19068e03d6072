"""Word lists for realistic holder names, places, people and catalogue categories.

Everything here is plain data plus a few small helpers that draw from it with a
caller-supplied ``random.Random`` so generation stays deterministic per seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A city (or a district of a municipality) that issues documents."""

    province: str  # full province name, e.g. 江苏省
    prov_abbr: str  # one-character abbreviation used in licence numbers, e.g. 苏
    city: str  # city name as printed, e.g. 南京市
    city_abbr: str  # one-character city abbreviation used in licence numbers, e.g. 宁
    region4: str  # first four digits of the administrative division code
    municipality: bool = False  # 京/津/沪/渝: the "city" is a district of the municipality


PLACES: tuple[Place, ...] = (
    Place("江苏省", "苏", "南京市", "宁", "3201"),
    Place("江苏省", "苏", "苏州市", "苏", "3205"),
    Place("江苏省", "苏", "无锡市", "锡", "3202"),
    Place("浙江省", "浙", "杭州市", "杭", "3301"),
    Place("浙江省", "浙", "宁波市", "甬", "3302"),
    Place("广东省", "粤", "广州市", "穗", "4401"),
    Place("广东省", "粤", "深圳市", "深", "4403"),
    Place("山东省", "鲁", "济南市", "济", "3701"),
    Place("山东省", "鲁", "青岛市", "青", "3702"),
    Place("湖北省", "鄂", "武汉市", "汉", "4201"),
    Place("四川省", "川", "成都市", "蓉", "5101"),
    Place("河南省", "豫", "郑州市", "郑", "4101"),
    Place("湖南省", "湘", "长沙市", "长", "4301"),
    Place("福建省", "闽", "厦门市", "厦", "3502"),
    Place("安徽省", "皖", "合肥市", "合", "3401"),
    Place("陕西省", "陕", "西安市", "西", "6101"),
    Place("辽宁省", "辽", "沈阳市", "沈", "2101"),
    Place("上海市", "沪", "浦东新区", "浦", "3101", municipality=True),
    Place("北京市", "京", "朝阳区", "朝", "1101", municipality=True),
    Place("天津市", "津", "滨海新区", "滨", "1201", municipality=True),
)

# Districts used in addresses; the suffix digits complete the six-digit region code.
# Generic district names, plausible in any city (addresses are decoration, not truth).
DISTRICTS: tuple[str, ...] = (
    "高新区",
    "经济开发区",
    "城东区",
    "城西区",
    "新城区",
    "工业园区",
    "城南区",
    "新区",
)

# Syllable-like stems that read like company trade names (字号).
_TRADE_NAMES = (
    "康联",
    "瑞康",
    "华润",
    "恒生",
    "博奥",
    "迈德",
    "安诺",
    "泰和",
    "鑫源",
    "佳禾",
    "润达",
    "天元",
    "海尔斯",
    "正康",
    "同济",
    "益诺",
    "贝瑞",
    "华信",
    "万泽",
    "国药",
    "嘉和",
    "普惠",
    "仁德",
    "新华",
    "科美",
    "宏达",
    "亿康",
    "康源",
    "睿智",
    "金域",
)
_INDUSTRY = (
    "医疗器械",
    "医疗科技",
    "医药",
    "生物科技",
    "医疗设备",
    "医学科技",
    "健康科技",
)
_COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
_HOSPITAL_KINDS = (
    "第一人民医院",
    "第二人民医院",
    "第三人民医院",
    "中医院",
    "中医医院",
    "妇幼保健院",
    "儿童医院",
    "口腔医院",
    "肿瘤医院",
    "中西医结合医院",
    "眼科医院",
)
_FOREIGN_REGISTRANTS = (
    "奥林巴斯医疗株式会社",
    "西门子医疗有限公司",
    "美敦力公司",
    "飞利浦医疗系统公司",
    "泰尔茂株式会社",
    "贝克曼库尔特有限公司",
    "罗氏诊断有限公司",
)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉波斌宁浩"

_ROADS = ("中山路", "解放路", "人民路", "建设路", "长江路", "科技园路", "创新大道", "工业园路")

# 2017 medical device classification catalogue (two-digit codes) plus the old 6840 IVD code.
CATALOGUE: dict[str, str] = {
    "01": "有源手术器械",
    "02": "无源手术器械",
    "03": "神经和心血管手术器械",
    "04": "骨科手术器械",
    "05": "放射治疗器械",
    "06": "医用成像器械",
    "07": "医用诊察和监护器械",
    "08": "呼吸、麻醉和急救器械",
    "09": "物理治疗器械",
    "10": "输血、透析和体外循环器械",
    "11": "医疗器械消毒灭菌器械",
    "12": "有源植入器械",
    "13": "无源植入器械",
    "14": "注输、护理和防护器械",
    "15": "患者承载器械",
    "16": "眼科器械",
    "17": "口腔科器械",
    "18": "妇产科、辅助生殖和避孕器械",
    "19": "医用康复器械",
    "20": "中医器械",
    "21": "医用软件",
    "22": "临床检验器械",
    "6840": "体外诊断试剂",
}

# Products for registration certificates, keyed by category code.
PRODUCTS: dict[str, tuple[str, ...]] = {
    "02": ("一次性使用无菌手术刀", "吻合器"),
    "03": ("血管内导管", "冠状动脉球囊扩张导管"),
    "04": ("骨科内固定钢板", "椎体成形导向系统"),
    "06": ("数字化X射线摄影系统", "彩色多普勒超声诊断系统", "医用磁共振成像系统"),
    "07": ("多参数监护仪", "电子血压计", "心电图机"),
    "08": ("呼吸机", "麻醉机", "医用制氧机"),
    "10": ("血液透析器", "一次性使用血液透析管路"),
    "13": ("人工髋关节假体", "可吸收缝合线"),
    "14": ("一次性使用输液器", "医用防护口罩", "一次性使用无菌注射器"),
    "16": ("人工晶状体", "眼压计"),
    "17": ("牙科种植体", "口腔数字印模仪"),
    "22": ("全自动生化分析仪", "全自动化学发光免疫分析仪", "血细胞分析仪"),
}

DEPARTMENTS = (
    "预防保健科",
    "内科",
    "外科",
    "妇产科",
    "儿科",
    "眼科",
    "耳鼻咽喉科",
    "口腔科",
    "皮肤科",
    "医学检验科",
    "医学影像科",
    "中医科",
    "麻醉科",
    "急诊医学科",
    "康复医学科",
)


def person_name(rng: random.Random) -> str:
    """Return a two- or three-character personal name."""
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def company_name(rng: random.Random, place: Place) -> str:
    """Return a company name such as 江苏康联医疗器械有限公司."""
    prefix = place.province.removesuffix("省").removesuffix("市")
    if rng.random() < 0.4:
        prefix = place.city.removesuffix("市") if not place.municipality else prefix
    trade, industry = rng.choice(_TRADE_NAMES), rng.choice(_INDUSTRY)
    form = rng.choice(_COMPANY_FORMS)
    if rng.random() < 0.15:
        # Group subsidiaries put the city in full-width brackets: 国药控股（南京）医疗器械有限公司.
        city = place.city.removesuffix("市") if not place.municipality else prefix
        return f"{trade}控股（{city}）{industry}{form}"
    return prefix + trade + industry + form


def hospital_name(rng: random.Random, place: Place) -> str:
    """Return a hospital name such as 南京市第一人民医院."""
    city = place.province if place.municipality else place.city
    if rng.random() < 0.25:
        district = rng.choice(DISTRICTS) if not place.municipality else place.city
        return city + district + "人民医院"
    return city + rng.choice(_HOSPITAL_KINDS)


def foreign_registrant(rng: random.Random) -> str:
    """Return the Chinese name of a foreign device registrant (for 国械注进)."""
    return rng.choice(_FOREIGN_REGISTRANTS)


def address(rng: random.Random, place: Place) -> str:
    """Return a street address inside ``place``."""
    prefix = place.province + place.city
    if not place.municipality:
        prefix += rng.choice(DISTRICTS)
    building = rng.choice(("", f"{rng.randint(1, 12)}幢", f"{rng.randint(1, 30)}楼"))
    return f"{prefix}{rng.choice(_ROADS)}{rng.randint(1, 999)}号{building}"
