"""The demo's 村干部报酬: the seed's standard (一肩挑 1560, 单设 1500, 副职 1300 元/月), its performance
part set by the half-year's monthly scores (band mode: the township's 一年两次考核), the last settled
half-year approved and the current one computed and open."""

import datetime

from .services.pay import pay_period_approve, pay_period_compute, pay_standard_save

BANDS = [["900", "1.2"], ["800", "1.0"], ["700", "0.8"], ["0", "0.6"]]


def demo_pay(*, county, today):
    pay_standard_save(
        actor=None,
        county=county,
        values={
            "name": "关于村干部基础报酬和绩效报酬标准的通知（演示）",
            "effective_from": datetime.date(today.year - 1, 1, 1),
            "effective_to": None,
            "one_shoulder_month": 1560,
            "principal_month": 1500,
            "deputy_month": 1300,
            "performance_share": "0.3",
            "unrated": "1.0",
            "mode": "band",
            "rhythm": "half",
            "coefficients": {"excellent": "1.2", "competent": "1.0", "basic": "0.8", "incompetent": "0"},
            "bands": BANDS,
        },
    )
    settled, current = (
        ((today.year, 1), (today.year, 2)) if today.month >= 7 else ((today.year - 1, 2), (today.year, 1))
    )
    period = pay_period_compute(actor=None, county=county, year=settled[0], half=settled[1], today=today)
    pay_period_approve(actor=None, period=period, opinion="经县委组织部、县财政局核对，同意按此发放。（演示数据）")
    pay_period_compute(actor=None, county=county, year=current[0], half=current[1], today=today)
