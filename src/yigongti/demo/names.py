"""Synthetic Chinese names for the demo county: common surnames and given-name characters, combined at
random. Never a real person's name from the seeds."""
from __future__ import annotations

import random

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
MALE_CHARS = "伟强军杰涛明超勇斌俊峰磊鹏辉建国华平志刚文永宏海波林春德东兴福贵昌荣生根发水金旺"
FEMALE_CHARS = "芳娟敏静丽艳秀英华玲霞燕红梅兰凤琴萍云莲桂珍翠娥秋菊香淑慧婷雪颖"


def person_name(rng: random.Random, sex: str) -> str:
    """A 2- or 3-character name; ``sex`` "1" male, "2" female (GB/T 2261.1)."""
    chars = MALE_CHARS if sex == "1" else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given
