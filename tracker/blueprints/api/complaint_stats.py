"""Complaint rates per unit and period (docs/api.md "Complaints")."""

from pydantic import Field

from tracker.blueprints import acting_user, authorize
from tracker.blueprints.api import bp
from tracker.blueprints.api.framework import Out, Query, endpoint
from tracker.services import complaint_stats


class StatsQuery(Query):
    period: str = Field(max_length=10)
    unit_id: int | None = Field(None, ge=1)


class StatsRowOut(Out):
    unit_id: int
    dispatched: int
    replied_on_time: int
    closed: int
    resolved: int
    rated: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    rank: int | None


@endpoint(bp, "/complaints/stats", "GET",
          summary="The three rates, score and rank per unit over the complaints first dispatched in a "
                  "period (a unit sees its own rows)",
          tag="Complaints", query=StatsQuery, response=list[StatsRowOut])
def complaint_stats_list(query: StatsQuery):
    authorize("complaint.stats")
    period = complaint_stats.parse_period(query.period)
    rows = complaint_stats.stats(period, acting_user(), query.unit_id)
    return complaint_stats.api_rows(rows), 200
