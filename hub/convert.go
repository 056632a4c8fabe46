package hub

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// The safetensors conversion pull requests of the Hub, as transformers finds them
// (src/transformers/safetensors_conversion.py get_conversion_pr_reference and previous_pr): an
// open pull request titled conversionTitle; in a public repository only the bot's is trusted.
const (
	conversionTitle = "Adding `safetensors` variant of this model"
	conversionBot   = "SFconvertbot"
	// maxDiscussionPages bounds the pages of the discussions listing read.
	maxDiscussionPages = 5
	// maxDiscussionPage caps one page of the listing (a page is a few tens of kB).
	maxDiscussionPage = 4 << 20
)

// discussionPage is one page of GET /api/models/{repo}/discussions (huggingface_hub's
// hf_api.py get_repo_discussions reads the same fields).
type discussionPage struct {
	Discussions []struct {
		Num           int    `json:"num"`
		Title         string `json:"title"`
		Status        string `json:"status"`
		IsPullRequest bool   `json:"isPullRequest"`
		Author        struct {
			Name string `json:"name"`
		} `json:"author"`
	} `json:"discussions"`
	Count int `json:"count"`
	Start int `json:"start"`
}

// conversionPR looks for the newest open conversion pull request of the repository. Any
// failure (no network, an old mirror without the API) only means no pull request is named.
func (d *downloader) conversionPR(ctx context.Context) (int, bool) {
	ctx, cancel := context.WithTimeout(ctx, headTimeout)
	defer cancel()
	q := url.Values{"type": {"pull_request"}, "status": {"open"}, "author": {conversionBot}}
	for page := range maxDiscussionPages {
		q.Set("p", strconv.Itoa(page))
		req, err := d.newRequest(ctx, http.MethodGet, d.opt.Endpoint+"/api/models/"+d.id.Repo+"/discussions?"+q.Encode())
		if err != nil {
			return 0, false
		}
		resp, err := d.do(req)
		if err != nil {
			return 0, false
		}
		var p discussionPage
		err = json.NewDecoder(io.LimitReader(resp.Body, maxDiscussionPage)).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			return 0, false
		}
		for _, x := range p.Discussions {
			if x.IsPullRequest && x.Status == "open" && x.Title == conversionTitle && x.Author.Name == conversionBot {
				return x.Num, true
			}
		}
		if len(p.Discussions) == 0 || p.Start+len(p.Discussions) >= p.Count {
			return 0, false
		}
	}
	return 0, false
}
