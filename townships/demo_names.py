"""Name material for the demo generator: syllables that combine into plausible Chinese place names.

Changing any string here changes the demo data for every seed; append rather than edit.
"""

# County names: first × second syllable + 县 (≈650 distinct names).
COUNTY_FIRST = "青清柳石白安永长凤龙桃兴平和宁新东西南北金银红黄云松梅竹桂丰"
COUNTY_SECOND = "山河门水平宁阳安城川源林岭泉江台州丰乐华昌盛"

# Combinations a county, township or village would never carry (黄泉: the underworld;
# 后门: "back door", as in 走后门; 下水: sewage; 下台: stepping down; 大头/小头: dupe).
UNFIT = frozenset({"黄泉", "后门", "下水", "下台", "大头", "小头"})

# Township and village place names: first × second syllable (≈1,400 distinct names per county).
PLACE_FIRST = "东西南北石柳白青红黄马杨高新大小长永安兴和平龙凤桃杏梨枣松柏金银双三五前后上下沙河泉山岭湾坪桥"
PLACE_SECOND = "门河水山岭桥庄营集店堡寨屯沟湾坪口泉林园塘坡头台冲洼铺"

# 街道 around the county seat come first in a county's list.
SUBDISTRICTS = ("城关", "东城", "西城", "南城", "北城", "城南", "城北", "新城", "老城", "开发区")

SURNAMES = (
    "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余"
    "潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
# 李家村, 王庄村 …: a clan's name and a settlement word.
VILLAGE_SUFFIXES = ("家村", "庄村", "营村", "湾村", "寨村", "店村", "集村", "堡村", "屯村", "沟村")
# Names from land reform and collectivization, and landscape names.
NAMED_VILLAGES = (
    "红星村 胜利村 前进村 和平村 幸福村 团结村 光明村 新华村 民主村 建设村 永丰村 五一村 东风村 向阳村 解放村 "
    "长青村 双河村 石桥村 柳树沟村 桃园村 杏花村 金星村 联合村 友谊村 新农村 丰收村 太平村 兴旺村 富民村 和谐村"
).split()
COMMUNITIES = (
    "幸福社区 东关社区 西关社区 南关社区 北关社区 新华社区 建设社区 文化社区 和平社区 人民社区 花园社区 滨河社区 "
    "府前社区 站前社区 光明社区 长安社区 锦绣社区 阳光社区 育才社区 振兴社区"
).split()

ORDINALS = "一二三四五六七八九十"

# Given-name characters for demo people (records stage).
GIVEN = "建国志强秀英桂兰国华明华红梅海燕晓东丽娟文斌春生秋菊玉兰德福永强小平卫东爱民金凤淑珍俊杰子豪欣怡雨涵浩然宇轩思远佳怡"
