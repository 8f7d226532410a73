from flask import Blueprint, render_template
from flask_login import current_user, login_required

from core.accounts.services import bidding_ineligibility_reason

bp = Blueprint("auction", __name__, url_prefix="/auctions", template_folder="templates")


@bp.get("/")
@login_required
def index():
    return render_template("auction/index.html", ineligible_reason=bidding_ineligibility_reason(current_user))
