"""The AHP grid on Prioritise, in a real browser: a judgement made while the page is still
re-ranking after the previous one is kept (the grid's data used to change on every edit, which
made the browser drop the edits still in flight)."""

from __future__ import annotations

from scoring.ahp import priorities
from scoring.criteria import Group
from tests.e2e import harness
from views.prioritise_charts import pairwise_matrix
from views.scoring_data import criteria_set

#: Pixels: the grid's header and row height, and the left column's width.
ROW, CRITERION_COLUMN = 36, 135


def test_two_quick_judgements_on_the_ahp_grid_are_both_kept(server: harness.Server) -> None:
    page = server.sign_in("lea")
    harness.open_page(page, "Prioritise")
    page.get_by_role("tab", name="AHP pairwise").click()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    assert box is not None
    for row, value in ((0, "9"), (1, "7")):  # the second while the first still re-ranks
        page.mouse.dblclick(box["x"] + CRITERION_COLUMN + 60,
                            box["y"] + ROW + ROW / 2 + ROW * row)
        page.wait_for_timeout(300)
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        page.wait_for_timeout(1_000)
    harness.wait_idle(page)
    page.wait_for_timeout(1_000)
    server.shot(page, "ahp-grid")
    impact = criteria_set().in_group(Group.IMPACT)  # the criteria the grid compares at first
    pairs = len(impact) * (len(impact) - 1) // 2
    both = priorities(pairwise_matrix(["9", "7"] + ["1"] * (pairs - 2), len(impact)))
    shown = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert shown == f"{both.cr:.3f}"  # the consistency ratio of both judgements
    page.context.close()
