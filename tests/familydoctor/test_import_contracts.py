"""Import of the contracts in force from the previous system: every rejected row is reported with its column and
reason, the good rows are kept, a second run of the same file creates nothing, and someone who is neither in the
team nor an admin of its institution imports nothing."""
import datetime as dt

from yigongti.familydoctor.models import Contract
from yigongti.people.importing import KINDS, Context, parse, run_rows

from .conftest import register, sign

HEADER = "原签约系统导出\n健康档案编号,姓名,签约团队,责任医生,服务包,签约日期,到期日期,签字方式,跨片区理由\n"


def run(data: str, actor, institution):
    kind = KINDS["familydoctor_contracts"]
    parsed = parse(kind, data.encode(), "签约.csv")
    return run_rows(kind, Context(actor=actor, institution=institution, labels=parsed.labels), parsed.rows)


def test_good_rows_kept_bad_rows_reported(scenario, team):
    a, b, c = (register(scenario, name=n) for n in ("导入签约甲", "导入签约乙", "导入签约丙"))
    outside = register(scenario, name="导入签约丁", area=scenario.village_c, institution=scenario.clinic_c,
                       doctor=scenario.village_doctor_c)
    signed = register(scenario, name="导入签约戊")
    sign(scenario, team, signed)
    rows = [
        f"{a.record_number},导入签约甲,东湖1团队,赵村医,basic；hypertension,2026-01-01,2026-12-31,纸质,",
        f"{b.record_number},导入签约乙,不存在团队,,,2026-01-01,,,",
        f"{signed.record_number},导入签约戊,东湖1团队,,,2026-02-01,,,",
        f"{outside.record_number},导入签约丁,东湖1团队,,,2026-01-01,,,",
        f"{c.record_number},导入签约丙,东湖1团队,,,2025-01-01,2025-12-31,,",
        f"{c.record_number},导入签约丙,东湖1团队,,金卡包,2026-01-01,,,",
        f"{c.record_number},导入签约丙,东湖1团队,,hypertension,2026-01-01,,,",
        f"{c.record_number},导入签约丙,东湖1团队,王某,,2026-01-01,,,",
        f"{c.record_number},导入签约丙,东湖1团队,,,2026-01-01,,传真,",
        f"{outside.record_number},导入签约丁,东湖1团队,,,2026-03-01,,电子,随子女居住",
    ]
    counts = run(HEADER + "\n".join(rows) + "\n", scenario.township_doctor, scenario.centre_1)
    assert (counts.created, counts.failed) == (2, 8), counts.errors
    by_row = {number: (column, reason) for number, column, reason in counts.errors}
    assert by_row[4][0] == "签约团队" and "不存在团队" in by_row[4][1]
    assert by_row[5][0] == "姓名" and "已有有效的签约" in by_row[5][1]
    assert by_row[6][0] == "跨片区理由"
    assert by_row[7][0] == "到期日期"
    assert by_row[8][0] == "服务包" and "金卡包" in by_row[8][1]
    assert by_row[9][0] == "服务包" and "基础服务包" in by_row[9][1]
    assert by_row[10][0] == "责任医生"
    assert by_row[11][0] == "签字方式"
    mine = Contract.objects.get(resident=a)
    assert (mine.doctor, mine.start_date, mine.end_date) == (scenario.village_doctor_a, dt.date(2026, 1, 1),
                                                              dt.date(2026, 12, 31))
    assert sorted(mine.packages.values_list("code", flat=True)) == ["basic", "hypertension"]
    assert mine.created_by == scenario.township_doctor
    assert Contract.objects.get(resident=outside).signature == "electronic"
    again = run(HEADER + rows[0] + "\n", scenario.township_doctor, scenario.centre_1)
    assert (again.unchanged, again.created) == (1, 0)
    assert Contract.objects.filter(resident=a).count() == 1


def test_an_outsider_imports_nothing(scenario, team):
    a = register(scenario, name="导入签约己")
    data = HEADER + f"{a.record_number},导入签约己,东湖1团队,,,2026-01-01,,,\n"
    counts = run(data, scenario.other_township_doctor, scenario.centre_2)
    assert counts.failed == 1 and not Contract.objects.exists()
